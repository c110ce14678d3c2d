#include "identity/security_pages.hpp"

namespace uslugi::identity {

bool sms_refused(const Result& r) {
    return r.outcome == Outcome::blocked || r.outcome == Outcome::send_limit ||
           r.outcome == Outcome::resend_too_early;
}

http::Response code_page(const SecurityPages& pages, http::Request& req, const CodeFlow& f, const ChallengeView& v,
                         const Result* r, http::Status status) {
    const http::Renderer& renderer = pages.renderer;
    const auto& t = pages.t;
    http::Data d = code_page_data(v, renderer.locale(req));
    d.set("title", t(req, f.title_key));
    d.set("lead", t(req, f.lead_key));
    d.set("action", f.action);
    d.set("resend_action", f.resend_action);
    d.set("back", f.back);
    if (req.query().get_or("sent", "") == "1") d.set("sent", true);
    if (r) add_result(d, *r, renderer.locale(req));
    if (r && f.offer_app && sms_refused(*r)) d.set("suggest_app", true);
    return renderer.page(req, "identity/security_code", d, t(req, f.title_key), status);
}

http::Response code_page_or_start(const SecurityPages& pages, http::Request& req, const CodeFlow& flow,
                                  const std::optional<ChallengeView>& pending, const Result* r) {
    if (!pending) return http::Response::redirect(flow.start);
    return code_page(pages, req, flow, *pending, r, r ? failed_page_status(*r) : http::Status::ok);
}

}  // namespace uslugi::identity
