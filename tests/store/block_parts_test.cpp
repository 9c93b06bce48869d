// How `convert` under MPI shares its time blocks' chunk rows among ranks
// (store/block_parts.h): every rank busy, blocks whole where a cut falls near
// a block boundary, a block's rows shared otherwise.
#include "store/block_parts.h"

#include <gtest/gtest.h>

#include <vector>

namespace pixeldrill::store::convert_detail {
namespace {

// Blocks of `days` new steps each (the time chunk's days).
std::vector<Block> blocks_of(const std::vector<uint64_t>& days) {
  std::vector<Block> out;
  size_t pos = 0;
  for (size_t k = 0; k < days.size(); ++k) {
    Block b;
    b.pos = pos;
    b.tc = k;
    b.take = days[k];
    pos += days[k];
    out.push_back(b);
  }
  return out;
}

// "block:begin-end" per part, rank after rank ("|" between ranks).
std::string layout(const std::vector<std::vector<BlockPart>>& shares) {
  std::string s;
  for (size_t r = 0; r < shares.size(); ++r) {
    if (r) s += "|";
    for (const auto& p : shares[r]) {
      s += std::to_string(p.block) + ":" + std::to_string(p.row_begin) + "-" +
           std::to_string(p.row_end) + (p.whole ? "w " : " ");
    }
  }
  return s;
}

TEST(BlockParts, OneBlockIsSharedByChunkRowsOfAboutEqualPixelRows) {
  // 900 pixel rows in chunk rows of 64: 14 of 64 and one of 4.
  EXPECT_EQ(layout(share_blocks(blocks_of({118}), 900, 64, 1)), "0:0-15w ");
  EXPECT_EQ(layout(share_blocks(blocks_of({118}), 900, 64, 2)), "0:0-7 |0:7-15 ");
  // Thirds: 300 pixel rows is nearest 320 (5 chunk rows), 600 nearest 576 (9).
  EXPECT_EQ(layout(share_blocks(blocks_of({118}), 900, 64, 3)), "0:0-5 |0:5-9 |0:9-15 ");
  // Quarters: no rank is left without rows (a quarter of the block is a whole
  // share here, not a small imbalance to trade for a whole block).
  EXPECT_EQ(layout(share_blocks(blocks_of({118}), 900, 64, 4)), "0:0-4 |0:4-7 |0:7-11 |0:11-15 ");
  // 90 rows in chunk rows of 16 (the last 10 tall): 3 + 3 on 2 ranks, 2 each on 3.
  EXPECT_EQ(layout(share_blocks(blocks_of({14}), 90, 16, 2)), "0:0-3 |0:3-6 ");
  EXPECT_EQ(layout(share_blocks(blocks_of({14}), 90, 16, 3)), "0:0-2 |0:2-4 |0:4-6 ");
  // More ranks than chunk rows: one rank has nothing to do.
  EXPECT_EQ(layout(share_blocks(blocks_of({14}), 32, 16, 3)), "0:0-1 ||0:1-2 ");
}

TEST(BlockParts, CutsNearABlockBoundaryKeepBlocksWhole) {
  // 118 days in blocks of 15 (the last 13): half the work is 59 days, one
  // day from the boundary at 60: whole blocks, 60 and 58 days.
  const auto eight = blocks_of({15, 15, 15, 15, 15, 15, 15, 13});
  EXPECT_EQ(layout(share_blocks(eight, 900, 64, 2)),
            "0:0-15w 1:0-15w 2:0-15w 3:0-15w |4:0-15w 5:0-15w 6:0-15w 7:0-15w ");
  // 4 + 4 + 4 + 2 days on 3 ranks: 4.7 days is near the boundary at 4; 9.3
  // is 1.3 days from 8, more than a quarter of block 2: block 2 is shared.
  EXPECT_EQ(layout(share_blocks(blocks_of({4, 4, 4, 2}), 90, 32, 3)),
            "0:0-3w |1:0-3w 2:0-1 |2:1-3 3:0-3w ");
}

}  // namespace
}  // namespace pixeldrill::store::convert_detail
