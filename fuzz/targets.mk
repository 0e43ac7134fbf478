# The fuzz targets (fuzz/<name>_fuzz.cc) and the project sources each one
# links besides its own file: only these are compiled with clang, so a cold
# `make fuzz` does not build the whole server. A missing source shows up as an
# undefined symbol when the target links.
FUZZ_TARGETS := form go_path keys_parse

FUZZ_PATH_SRCS := server/api/go_path.cc common/go_quote.cc common/utf8.cc server/http/request.cc

FUZZ_SRCS_form := server/api/form.cc $(FUZZ_PATH_SRCS)
FUZZ_SRCS_go_path := $(FUZZ_PATH_SRCS)
FUZZ_STORE_SRCS := $(wildcard server/store/*.cc) common/json_string.cc common/utf8.cc common/time_format.cc
FUZZ_SRCS_keys_parse := server/api/keys_parse.cc server/api/form.cc server/etcdserver/apply.cc \
                        server/etcdserver/request.cc $(FUZZ_PATH_SRCS) $(FUZZ_STORE_SRCS)
