// Pixel quads: a convolution's input laid out for vpdpbusd with output pixels in the
// vector lanes (the activation operand of conv2d_s8_vnni.h).
//
// For output pixel p = (oh, ow) and tap k = (c, kh, kw), in PyTorch's weight order, the
// operand is the input code at (c, oh * stride - padding + kh, ow * stride - padding + kw)
// shifted to unsigned (code ^ 0x80, i.e. code + 128), a tap in the padding reading the
// input's zero point. vpdpbusd sums four byte products per int32 lane, so taps go in
// quads of four and 16 pixels fill a 64-byte vector:
//
//   vector (group g, quad q), byte 4 * i + j  =  pixel 16 * g + i, tap 4 * q + j
//
// stored [group][quad] for one image. The last quad of a depth K that is not a multiple
// of 4 repeats tap K - 1 (its weights are packed as 0), and the lanes past the image's
// last pixel repeat that pixel (their results are never stored), so every byte is
// defined and the reference below can state them all.
//
// For a convolution followed by a 2x2, stride-2 max pool, the pixels can come in pool
// window order instead (PixelOrder::kPoolWindows2x2): groups 4G..4G+3 hold the pooled
// pixels 16G..16G+15 (row-major in the pooled plane), group 4G + 2 dy + dx at window
// position (dy, dx), so the four accumulators of one pooled pixel sit in the same lane of
// four vectors and the pool is three vpmaxsd (conv2d_s8_vnni.h). Lanes past the last
// pooled pixel repeat it; output rows or columns the pool drops (odd sizes) are not packed.
//
// The AVX-512 VBMI packer copies the image once into an unsigned, zero-point-padded copy;
// then a pixel's tap is a fixed offset from the pixel's origin in it, and the 16 pixels
// of a group lie within 128 bytes of the group's first (checked per geometry: wide
// strided rows may not). One vpermi2b gathers a whole vector from two 64-byte loads when
// the quad's four taps lie close enough (all taps within a kernel row, and rows of small
// images); otherwise one vpermi2b per tap and three blends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/aligned_allocator.h"
#include "core/layers/im2col.h"

namespace slim {

inline constexpr int64_t kPixelsPerVector = 16;
inline constexpr int64_t kVectorBytes = 64;

using AlignedBytes = std::vector<uint8_t, AlignedAllocator<uint8_t, 64>>;

enum class PixelOrder {
  kRowMajor,        // the output plane's pixels in order
  kPoolWindows2x2,  // by 2x2 pool window, as above (needs OH >= 2 and OW >= 2)
};

// The plain definition above, for one image [C, H, W] (g.batch is ignored); writes
// pixel_quad_image_bytes(g, order) bytes.
void pack_pixel_quads_reference(const ConvGeometry& g, const int8_t* image, int8_t zero_point,
                                uint8_t* out, PixelOrder order = PixelOrder::kRowMajor);

// The pixels one image's groups cover: OH * OW, or the pooled plane's (OH / 2) * (OW / 2).
int64_t pixel_quad_pixels(const ConvGeometry& g, PixelOrder order = PixelOrder::kRowMajor);
// ceil(pixels / 16), times 4 window positions in pool window order.
int64_t pixel_quad_groups(const ConvGeometry& g, PixelOrder order = PixelOrder::kRowMajor);
int64_t pixel_quad_depth(const ConvGeometry& g);  // ceil(C * KH * KW / 4)
int64_t pixel_quad_image_bytes(const ConvGeometry& g, PixelOrder order = PixelOrder::kRowMajor);

class PixelQuadPacker {
 public:
  explicit PixelQuadPacker(const ConvGeometry& g, PixelOrder order = PixelOrder::kRowMajor);

  const ConvGeometry& geometry() const { return g_; }
  PixelOrder order() const { return order_; }
  // Empty when pack() can gather this geometry, otherwise why not (pack() then throws).
  const std::string& unsupported_reason() const { return unsupported_reason_; }
  // How many quads one vpermi2b gathers whole (the others take one per tap).
  int64_t quads_gathered_at_once() const;
  // Bytes of the scratch pack() pads the image into.
  int64_t padded_bytes() const;
  // One image [C, H, W] to pixel_quad_image_bytes() bytes at `out` (64-byte aligned),
  // equal to pack_pixel_quads_reference(). Needs AVX-512 F/BW and VBMI.
  void pack(const int8_t* image, int8_t zero_point, uint8_t* padded, uint8_t* out) const;

 private:
  void pad_unsigned(const int8_t* image, int8_t zero_point, uint8_t* padded) const;

  ConvGeometry g_;
  PixelOrder order_;
  int64_t padded_h_, padded_w_;
  int64_t groups_, quads_;
  std::vector<int32_t> tap_offsets_;    // [4 * quads], from a pixel's origin in the copy
  std::vector<int32_t> group_origins_;  // [groups], the group's first pixel's origin
  AlignedBytes group_indices_;          // [groups][64]: byte 4i + j = pixel i's distance
  AlignedBytes quad_deltas_;            // [quads][64]: byte 4i + j = tap j's offset - tap 0's
  std::vector<uint8_t> single_gather_;  // [quads]: one vpermi2b reaches all four taps
  std::string unsupported_reason_;
};

}  // namespace slim
