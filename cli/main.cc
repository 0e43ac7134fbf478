// kvraftctl: the command line client for kvraft, an etcdctl v2 equal.
// Wiring only; see cli/app.h.
#include <string>
#include <vector>

#include "cli/app.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return cli::RunApp(args);
}
