#include "codec/chunk_pipeline.h"

#include <algorithm>
#include <cstring>

#include "codec/block_crc.h"
#include "codec/fletcher32.h"
#include "codec/shuffle.h"

namespace pixeldrill::codec {
namespace {
bool applied(int pos, uint32_t mask) { return pos >= 0 && !(mask & (1u << pos)); }
}  // namespace

void DecodedChunk::decode(const Pipeline& pipeline, uint32_t filter_mask,
                          std::span<const std::byte> stored, size_t count, size_t max_index,
                          Inflater engine) {
  count_ = count;
  elem_size_ = pipeline.elem_size;
  shuffled_ = applied(pipeline.shuffle, filter_mask) && elem_size_ > 1;
  const size_t full = count * elem_size_;
  if (applied(pipeline.fletcher32, filter_mask)) {
    if (!fletcher32_ok(stored)) throw CodecError("fletcher32 checksum mismatch");
    stored = stored.first(stored.size() - 4);
  }
  const size_t needed = shuffled_ ? shuffled_prefix_needed(max_index, count, elem_size_)
                                  : (max_index + 1) * elem_size_;
  needed_ = needed;
  if (applied(pipeline.deflate, filter_mask)) {
    // libdeflate cannot stop early and needs room for the whole output.
    buffer_.resize(full);
    const bool whole =
        needed >= full || engine == Inflater::kLibdeflate ||
        (engine == Inflater::kAuto &&
         static_cast<double>(needed) >= kAutoPrefixFraction * static_cast<double>(full));
    if (whole) {
      produced_ = inflate_all(engine, stored, buffer_);
    } else {
      produced_ = inflate_prefix(engine, stored, buffer_, needed);
    }
    data_ = buffer_.data();
  } else {
    produced_ = stored.size();
    data_ = stored.data();  // caller keeps `stored` alive while reading elements
  }
  if (produced_ < needed) {
    throw CodecError("chunk decodes to " + std::to_string(produced_) + " bytes, fewer than the " +
                     std::to_string(needed) + " needed");
  }
  if (needed == full && produced_ != full) {
    throw CodecError("chunk decodes to " + std::to_string(produced_) + " bytes, expected " +
                     std::to_string(full));
  }
}

DecodedChunk::ReadPlan DecodedChunk::plan_read(const Pipeline& pipeline, uint32_t filter_mask,
                                               uint64_t stored_size, size_t count, size_t max_index,
                                               Inflater engine) {
  const size_t elem_size = pipeline.elem_size;
  const bool shuffled = applied(pipeline.shuffle, filter_mask) && elem_size > 1;
  const size_t full = count * elem_size;
  ReadPlan plan;
  plan.needed =
      shuffled ? shuffled_prefix_needed(max_index, count, elem_size) : (max_index + 1) * elem_size;
  plan.streams =
      applied(pipeline.deflate, filter_mask) && !applied(pipeline.fletcher32, filter_mask) &&
      plan.needed < full &&
      (engine == Inflater::kZlib || engine == Inflater::kIsal ||
       (engine == Inflater::kAuto &&
        static_cast<double>(plan.needed) < kAutoPrefixFraction * static_cast<double>(full)));
  // Deflate compresses these fields about evenly, so the needed fraction of
  // the output comes from about that fraction of the input.
  plan.first =
      static_cast<uint64_t>(static_cast<double>(stored_size) * static_cast<double>(plan.needed) /
                            static_cast<double>(full) * 1.1) +
      4 * 1024;
  return plan;
}

uint64_t DecodedChunk::first_read(const Pipeline& pipeline, uint32_t filter_mask,
                                  uint64_t stored_size, size_t count, size_t max_index,
                                  Inflater engine) {
  const ReadPlan plan = plan_read(pipeline, filter_mask, stored_size, count, max_index, engine);
  if (!plan.streams) return stored_size;
  // inflate_prefix_streaming() reads whole CRC blocks.
  const uint64_t want = std::max<uint64_t>(plan.first, 64);
  return std::min(stored_size, (want + kCrcBlockSize - 1) / kCrcBlockSize * kCrcBlockSize);
}

void DecodedChunk::decode_from(const Pipeline& pipeline, uint32_t filter_mask, uint64_t stored_size,
                               const StreamReader& read, size_t count, size_t max_index,
                               Inflater engine, std::span<const uint32_t> block_crcs) {
  const ReadPlan plan = plan_read(pipeline, filter_mask, stored_size, count, max_index, engine);
  if (!plan.streams) {
    stored_.resize(stored_size);
    read(0, stored_);
    stored_read_ = stored_size;
    if (!block_crcs.empty()) verify_blocks(stored_, 0, stored_size, block_crcs);
    decode(pipeline, filter_mask, stored_, count, max_index, engine);
    return;
  }
  count_ = count;
  elem_size_ = pipeline.elem_size;
  shuffled_ = applied(pipeline.shuffle, filter_mask) && elem_size_ > 1;
  needed_ = plan.needed;
  buffer_.resize(count * elem_size_);
  StreamReader checked = read;
  if (!block_crcs.empty()) {
    checked = [&](uint64_t at, std::span<std::byte> out) {
      read(at, out);
      verify_blocks(out, at, stored_size, block_crcs);
    };
  }
  produced_ = inflate_prefix_streaming(engine, checked, stored_size, plan.first, stored_, buffer_,
                                       plan.needed, &stored_read_);
  data_ = buffer_.data();
}

void DecodedChunk::element(size_t i, std::byte* out) const {
  if (shuffled_) {
    gather_shuffled(data_, count_, elem_size_, i, out);
  } else {
    std::memcpy(out, data_ + i * elem_size_, elem_size_);
  }
}

}  // namespace pixeldrill::codec
