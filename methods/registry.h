// The method registry: an explicit table (no self-registering statics, which a static
// library's linker may silently drop). `slimbench list methods`, sweep validation and
// the tests all read this one table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "methods/method.h"

namespace slim {

const std::vector<Method>& method_table();
std::vector<std::string> method_names();
// UserError "unknown method 'x'; valid choices: ..." when absent.
const Method& find_method(std::string_view name);

}  // namespace slim
