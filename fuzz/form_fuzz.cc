// Form bodies and query strings (server/api/form.*): Go's url.ParseQuery and
// Request.ParseForm. Input: method, Content-Type and query, one line each,
// then the body.
#include "fuzz/input.h"
#include "server/api/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  api::Form whole;
  (void)api::ParseQuery(in.all(), &whole);

  const std::string method = in.Line();
  const std::string content_type = in.Line();
  const std::string query = in.Line();
  const std::string body = in.Rest();
  for (bool too_large : {false, true}) {
    auto form = api::ParseRequestForm({method, content_type, query, body, too_large});
    if (!form.ok()) continue;
    // Every value of a parsed form comes from the query or the body.
    for (const std::string& v : form->Values("value")) FUZZ_CHECK(v.size() <= query.size() + body.size());
    FUZZ_CHECK(form->Value("value") == (form->Values("value").empty() ? "" : form->Values("value")[0]));
  }
  return 0;
}
