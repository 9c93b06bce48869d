#pragma once
// --nearest-valid KM, for coastal moorings whose nearest pixel is land or
// never observed. The rule, the same on every backend because it runs above
// them (DatasetBase::run) on what SeriesBuilder::pixels_with_value() says:
//  1. the candidates of a site are the pixel --point would use plus every
//     pixel whose centre lies within KM km (great-circle) of the site;
//  2. every candidate is read over the query's own time range and variables
//     (with --min-quality); a candidate is valid when it has at least one
//     value there (SeriesBuilder::pixels_with_value());
//  3. the site takes the pixel --point would use if it is valid, else the
//     valid candidate nearest to the site (ties: northern, then western
//     pixel first), else keeps its nearest pixel and says so.
#include <string>
#include <vector>

#include "catalog/grid.h"
#include "drill/plan.h"
#include "drill/query.h"

namespace pixeldrill::drill {

class NearestValidSearch {
 public:
  // `nearest` is make_plan()'s plan of the same query (one pixel per site).
  // Throws BadRequest when the radius would search too many pixels.
  NearestValidSearch(const Query& query, const catalog::Grid& grid, const Plan& nearest);

  // Every candidate pixel of every site, each once: read this first.
  const Plan& search_plan() const { return search_; }

  // The plan with each site's chosen pixel, given which search_plan() pixels
  // have a value; a note per site moved or left without a valid pixel.
  Plan choose(const std::vector<bool>& valid, std::vector<std::string>& notes);

  // Per pixel of the chosen plan: km from the site to the pixel's centre.
  const std::vector<double>& distances() const { return distances_; }

 private:
  struct Candidate {
    size_t pixel;  // index into search_.pixels
    double km;
  };
  const Query& query_;
  const Plan& nearest_;
  Plan search_;
  std::vector<std::vector<Candidate>> candidates_;  // per nearest_ pixel, nearest pixel first
  std::vector<double> distances_;
};

}  // namespace pixeldrill::drill
