#pragma once
// Delivery of back-channel logout tokens (OpenID Connect Back-Channel Logout
// 1.0): a job per site and sign-in, queued in the transaction that ended the
// sign-in, POSTed by the job runner and retried with back-off.
#include "jobs/service.hpp"

namespace uslugi::oidc {

void register_job_handlers(jobs::JobRunner& runner);

}  // namespace uslugi::oidc
