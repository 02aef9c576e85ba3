#include "otter/streams/get_stream.h"

#include <cbor.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "otter/crypto/signature.h"

namespace otter::streams {
namespace {

StreamError error(std::string code, std::string message, std::string token = {}) {
  return StreamError{std::move(code), std::move(message), std::move(token)};
}

struct CborDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborDeleter>;

std::optional<std::string_view> cbor_text(cbor_item_t* item) {
  if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)), cbor_string_length(item));
}

std::optional<std::int64_t> cbor_integer(cbor_item_t* item) {
  if (!cbor_isa_uint(item)) return std::nullopt;
  std::uint64_t v = cbor_get_int(item);
  if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

// Checks the common rules once both parsers filled the fields.
ParsedRequest finish(GetStreamRequest r, bool has_f, bool has_l) {
  if (r.client_token.size() > kMaxClientToken)
    return error("InvalidRequestException", "client token longer than 64 bytes");
  if (!has_f) return error("InvalidRequestException", "missing file id (f)", r.client_token);
  if (!has_l) return error("InvalidRequestException", "missing block size (l)", r.client_token);
  if (r.bitmap && r.bitmap->size() > kMaxBitmapBytes)
    return error("BlockBitmapCreationError", "bitmap longer than " + std::to_string(kMaxBitmapBytes) + " bytes",
                 r.client_token);
  return r;
}

std::optional<std::int64_t> json_integer(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    if (i < 0) return std::nullopt;
    return i;
  }
  // AWS's JSON endpoint also takes decimal strings ("f":"0").
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 18) return std::nullopt;
    std::int64_t out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      out = out * 10 + (c - '0');
    }
    return out;
  }
  return std::nullopt;
}


void put_pair(cbor_item_t* map, const char* key, cbor_item_t* value) {
  cbor_map_add(map, cbor_pair{cbor_move(cbor_build_string(key)), cbor_move(value)});
}

cbor_item_t* build_uint(std::uint64_t v) {
  if (v <= 0xFF) return cbor_build_uint8(static_cast<std::uint8_t>(v));
  if (v <= 0xFFFF) return cbor_build_uint16(static_cast<std::uint16_t>(v));
  if (v <= 0xFFFFFFFF) return cbor_build_uint32(static_cast<std::uint32_t>(v));
  return cbor_build_uint64(v);
}

std::vector<std::uint8_t> serialize(cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  std::size_t capacity = 0;
  std::size_t length = cbor_serialize_alloc(item, &buffer, &capacity);
  std::vector<std::uint8_t> out(buffer, buffer + length);
  std::free(buffer);
  return out;
}

// libcbor allocates what a header announces before reading the items (a map
// "of 2^26 pairs" in 10 bytes costs a gigabyte), and frees nested items
// recursively. So the structure is checked first, without allocating: every
// announced count fits in the bytes that remain, nesting is shallow, and
// there are no indefinite lengths.
bool plausible_cbor(std::span<const std::uint8_t> b) {
  constexpr std::size_t kMaxDepth = 8;
  std::uint64_t pending[kMaxDepth + 1];
  std::size_t depth = 0;
  pending[0] = 1;
  std::size_t pos = 0;
  while (true) {
    while (pending[depth] == 0) {
      if (depth == 0) return pos == b.size();
      --depth;
    }
    --pending[depth];
    if (pos >= b.size()) return false;
    std::uint8_t initial = b[pos++];
    int major = initial >> 5;
    std::uint8_t info = initial & 0x1F;
    std::uint64_t arg = info;
    if (info >= 28) return false;  // reserved, or indefinite length / break
    if (info >= 24) {
      std::size_t bytes = std::size_t{1} << (info - 24);
      if (b.size() - pos < bytes) return false;
      arg = 0;
      for (std::size_t i = 0; i < bytes; ++i) arg = (arg << 8) | b[pos++];
    }
    std::uint64_t remaining = b.size() - pos;
    switch (major) {
      case 2:
      case 3:
        if (arg > remaining) return false;
        pos += static_cast<std::size_t>(arg);
        break;
      case 4:
      case 5:
      case 6: {
        std::uint64_t items = major == 6 ? 1 : major == 5 ? arg * 2 : arg;
        if (major == 5 && arg > remaining / 2) return false;
        if (items > remaining) return false;
        if (depth == kMaxDepth) return false;
        pending[++depth] = items;
        break;
      }
      default:
        break;  // integers and simple values: the head was all of it
    }
  }
}

}  // namespace

ParsedRequest parse_get_stream_cbor(std::span<const std::uint8_t> payload) {
  if (payload.size() > kMaxRequestBytes) return error("InvalidCbor", "request larger than 16 KiB");
  if (!plausible_cbor(payload)) return error("InvalidCbor", "malformed CBOR");
  cbor_load_result result{};
  CborItem root(cbor_load(payload.data(), payload.size(), &result));
  if (!root || result.error.code != CBOR_ERR_NONE) return error("InvalidCbor", "malformed CBOR");
  if (result.read != payload.size()) return error("InvalidCbor", "trailing bytes after the CBOR map");
  if (!cbor_isa_map(root.get()) || !cbor_map_is_definite(root.get()))
    return error("InvalidCbor", "request must be a CBOR map");
  GetStreamRequest r;
  bool has_f = false, has_l = false, has_c = false, has_o = false;
  std::size_t size = cbor_map_size(root.get());
  cbor_pair* pairs = cbor_map_handle(root.get());
  // The client token first, so later errors can echo it.
  for (std::size_t i = 0; i < size; ++i)
    if (auto key = cbor_text(pairs[i].key); key && *key == "c")
      if (auto token = cbor_text(pairs[i].value)) r.client_token = std::string(token->substr(0, kMaxClientToken + 1));
  for (std::size_t i = 0; i < size; ++i) {
    auto key = cbor_text(pairs[i].key);
    if (!key || key->size() != 1) return error("InvalidCbor", "keys are one-letter text strings", r.client_token);
    cbor_item_t* value = pairs[i].value;
    bool* seen = nullptr;
    switch ((*key)[0]) {
      case 'c':
        seen = &has_c;
        if (!cbor_text(value)) return error("InvalidCbor", "client token (c) must be text", r.client_token);
        break;
      case 'f':
      case 'l':
      case 'o':
      case 'n': {
        auto v = cbor_integer(value);
        if (!v) return error("InvalidCbor", std::string(*key) + " must be an unsigned integer", r.client_token);
        char k = (*key)[0];
        if (k == 'f') {
          seen = &has_f;
          r.file_id = *v;
        } else if (k == 'l') {
          seen = &has_l;
          r.block_size = *v;
        } else if (k == 'o') {
          seen = &has_o;
          r.block_offset = *v;
        } else {
          if (r.number_of_blocks) return error("InvalidCbor", "duplicate key n", r.client_token);
          r.number_of_blocks = *v;
        }
        break;
      }
      case 'b':
        if (!cbor_isa_bytestring(value) || !cbor_bytestring_is_definite(value))
          return error("InvalidCbor", "bitmap (b) must be a byte string", r.client_token);
        if (r.bitmap) return error("InvalidCbor", "duplicate key b", r.client_token);
        r.bitmap.emplace(cbor_bytestring_handle(value), cbor_bytestring_handle(value) + cbor_bytestring_length(value));
        break;
      default:
        break;  // unknown keys are ignored (AWS adds optional ones, e.g. stream version)
    }
    if (seen) {
      if (*seen) return error("InvalidCbor", "duplicate key " + std::string(*key), r.client_token);
      *seen = true;
    }
  }
  return finish(std::move(r), has_f, has_l);
}

ParsedRequest parse_get_stream_json(std::string_view payload) {
  if (payload.size() > kMaxRequestBytes) return error("InvalidJson", "request larger than 16 KiB");
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded()) return error("InvalidJson", "malformed JSON");
  if (!j.is_object()) return error("InvalidJson", "request must be a JSON object");
  GetStreamRequest r;
  if (auto c = j.find("c"); c != j.end()) {
    if (!c->is_string()) return error("InvalidRequestException", "client token (c) must be a string");
    r.client_token = c->get<std::string>().substr(0, kMaxClientToken + 1);
  }
  auto integer = [&](const char* key, std::int64_t& out) -> std::optional<StreamError> {
    auto it = j.find(key);
    if (it == j.end()) return std::nullopt;
    auto v = json_integer(*it);
    if (!v) return error("InvalidRequestException", std::string(key) + " must be a non-negative integer", r.client_token);
    out = *v;
    return std::nullopt;
  };
  if (auto e = integer("f", r.file_id)) return *e;
  if (auto e = integer("l", r.block_size)) return *e;
  if (auto e = integer("o", r.block_offset)) return *e;
  if (j.contains("n")) {
    std::int64_t n = 0;
    if (auto e = integer("n", n)) return *e;
    r.number_of_blocks = n;
  }
  if (auto b = j.find("b"); b != j.end()) {
    if (!b->is_string()) return error("InvalidRequestException", "bitmap (b) must be base64 text", r.client_token);
    if (b->get_ref<const std::string&>().size() > kMaxBitmapBytes * 4 / 3 + 4)
      return error("BlockBitmapCreationError", "bitmap too long", r.client_token);
    try {
      r.bitmap = crypto::decode_base64(b->get_ref<const std::string&>());
    } catch (const crypto::CryptoError&) {
      return error("InvalidRequestException", "bitmap (b) is not valid base64", r.client_token);
    }
  }
  return finish(std::move(r), j.contains("f"), j.contains("l"));
}

ParsedRequest parse_get_stream(Format format, std::span<const std::uint8_t> payload) {
  if (format == Format::Cbor) return parse_get_stream_cbor(payload);
  return parse_get_stream_json(std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
}

std::variant<std::vector<std::uint32_t>, StreamError> plan_blocks(const GetStreamRequest& r, std::int64_t file_size) {
  const std::string& token = r.client_token;
  if (r.block_size < kMinBlockSize || r.block_size > kMaxBlockSize)
    return error("BlockSizeOutOfBounds", "block size must be 256..131072 bytes", token);
  std::int64_t total = (file_size + r.block_size - 1) / r.block_size;
  if (r.block_offset >= total)
    return error("OffsetOutOfBounds",
                 "block " + std::to_string(r.block_offset) + " is past the end (" + std::to_string(total) + " blocks)",
                 token);
  std::int64_t n = r.number_of_blocks.value_or(1);
  if (n < 1) return error("InvalidRequestException", "number of blocks (n) must be at least 1", token);
  if (n > kMaxBytesPerRequest / r.block_size)
    return error("BlockCountLimitExceeded", "a request may ask for at most 128 KiB", token);
  std::vector<std::uint32_t> blocks;
  if (r.bitmap) {
    // Bits past the end of the file are ignored: agents round bitmaps up to bytes.
    for (std::size_t byte = 0; byte < r.bitmap->size() && static_cast<std::int64_t>(blocks.size()) < n; ++byte) {
      std::uint8_t bits = (*r.bitmap)[byte];
      for (int bit = 0; bit < 8 && bits; ++bit) {
        if (!(bits & (1u << bit))) continue;
        std::int64_t index = r.block_offset + static_cast<std::int64_t>(byte) * 8 + bit;
        if (index >= total || static_cast<std::int64_t>(blocks.size()) >= n) break;
        blocks.push_back(static_cast<std::uint32_t>(index));
      }
    }
    if (blocks.empty()) return error("InvalidRequestException", "the bitmap selects no block of the file", token);
  } else {
    for (std::int64_t i = r.block_offset; i < total && static_cast<std::int64_t>(blocks.size()) < n; ++i)
      blocks.push_back(static_cast<std::uint32_t>(i));
  }
  return blocks;
}

std::vector<std::uint8_t> encode_data_block(Format format, std::int64_t file_id, std::uint32_t index,
                                            std::span<const std::uint8_t> payload) {
  if (format == Format::Json) {
    nlohmann::json j = {{"f", file_id}, {"i", index}, {"l", payload.size()}, {"p", crypto::encode_base64(payload)}};
    std::string text = j.dump();
    return {text.begin(), text.end()};
  }
  CborItem map(cbor_new_definite_map(4));
  put_pair(map.get(), "f", build_uint(static_cast<std::uint64_t>(file_id)));
  put_pair(map.get(), "i", build_uint(index));
  put_pair(map.get(), "l", build_uint(payload.size()));
  put_pair(map.get(), "p", cbor_build_bytestring(payload.data(), payload.size()));
  return serialize(map.get());
}

std::vector<std::uint8_t> encode_stream_error(Format format, const StreamError& e) {
  if (format == Format::Json) {
    nlohmann::json j = {{"o", e.code}, {"m", e.message}};
    if (!e.client_token.empty()) j["c"] = e.client_token;
    std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return {text.begin(), text.end()};
  }
  CborItem map(cbor_new_definite_map(3));
  put_pair(map.get(), "o", cbor_build_stringn(e.code.data(), e.code.size()));
  put_pair(map.get(), "m", cbor_build_stringn(e.message.data(), e.message.size()));
  if (!e.client_token.empty())
    put_pair(map.get(), "c", cbor_build_stringn(e.client_token.data(), e.client_token.size()));
  return serialize(map.get());
}

}  // namespace otter::streams
