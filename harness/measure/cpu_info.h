// What CPU the results were measured on, read from /proc/cpuinfo.
//
// The ISA flags decide which kernels can run (AVX-512 VNNI, AMX) and so explain speed
// differences between machines; the parsers take the text so tests can feed them samples.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace slim {

// The value of the first "key : value" line whose key is `key`, e.g. "model name";
// empty when there is none.
std::string cpuinfo_field(std::istream& cpuinfo, std::string_view key);

// The flags relevant to slimbench's kernels that appear in a cpuinfo "flags" value, in a
// fixed order: sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx_vnni
// avx512_bf16 avx512_fp16 amx_tile amx_int8 amx_bf16.
std::vector<std::string> relevant_isa_flags(std::string_view flags_value);

// "model name" from /proc/cpuinfo; "unknown" when absent (e.g. on ARM).
std::string cpu_model_name();

// relevant_isa_flags() of this machine's first CPU; empty when /proc/cpuinfo lacks flags.
std::vector<std::string> cpu_isa_flags();

}  // namespace slim
