#include "oidc/backchannel.hpp"

#include "core/log.hpp"
#include "oidc/service.hpp"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/URI.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <sstream>
#include <stdexcept>

namespace uslugi::oidc {

namespace {

// POSTs logout_token=… to the site; a 2xx answer is delivery, anything else a retry.
void deliver(const std::string& uri_text, const std::string& logout_token) {
    const Poco::URI uri(uri_text);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort());
    else session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    session->setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    const std::string body = "logout_token=" + logout_token;  // base64url and dots: nothing to escape
    request.setContentType("application/x-www-form-urlencoded");
    request.setContentLength(std::streamsize(body.size()));
    session->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    std::ostringstream ignored;
    ignored << in.rdbuf();
    const int status = response.getStatus();
    if (status < 200 || status >= 300)
        throw std::runtime_error("back-channel logout answered " + std::to_string(status));
}

}  // namespace

void register_job_handlers(jobs::JobRunner& runner) {
    runner.handle(std::string(kBackchannelLogoutKind), [](const jobs::Job& job) {
        const auto payload = nlohmann::json::parse(job.payload);
        // Delivering twice is harmless: a site that already ended the session ignores the second token.
        deliver(payload.at("uri").get<std::string>(), payload.at("logout_token").get<std::string>());
    });
}

}  // namespace uslugi::oidc
