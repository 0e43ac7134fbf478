# The fuzz targets (fuzz/<name>_fuzz.cc) and the project sources compiled
# with clang for them, into one archive each target links against (the linker
# takes only the objects a target needs). Only these are compiled, so a cold
# `make fuzz` does not build the whole server; a missing source shows up as an
# undefined symbol when a target links.
FUZZ_TARGETS := form go_path keys_parse peer_message store_snapshot yaml_config flags \
                members_json discovery_answer srv_answer http_request

FUZZ_LIB_SRCS := $(wildcard common/*.cc) $(wildcard server/store/*.cc) \
                 server/http/request.cc server/http/request_parser.cc server/http/wire.cc server/http/boost_assert.cc \
                 server/api/form.cc server/api/go_path.cc server/api/keys_parse.cc \
                 server/etcdserver/apply.cc server/etcdserver/request.cc \
                 server/etcdserver/conf_change.cc server/etcdserver/membership.cc \
                 server/raft/messages.cc server/transport/codec.cc \
                 $(wildcard server/config/*.cc) \
                 server/transport/remote_cluster.cc server/proxy/cluster_file.cc server/api/go_json.cc \
                 cli/members.cc
