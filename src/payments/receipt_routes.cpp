// Receipts as PDF: the receipt of a payment made here (its owner only, once it
// succeeded), and the printed receipt for a bank branch of a charge the portal
// has looked up (a state fee: its owner only).
#include "core/time.hpp"
#include "payments/receipt_pdf.hpp"
#include "payments/route_kit.hpp"

#include <fmt/format.h>

namespace uslugi::payments {

using http::Request;
using http::Response;
using http::Status;

namespace {

std::vector<ReceiptLine> payee_lines(const Payee& p) {
    // A utilities payee is a company with a bank's settlement account, not the Treasury (no KBK).
    if (p.kbk.empty())
        return {{"Получатель", p.name},
                {"ИНН / КПП получателя", p.inn + " / " + p.kpp},
                {"Расчётный счёт", p.account},
                {"Банк получателя", p.bank_name},
                {"БИК", p.bic},
                {"Корреспондентский счёт", p.corr_account}};
    return {{"Получатель", p.name},
            {"ИНН / КПП получателя", p.inn + " / " + p.kpp},
            {"Казначейский счёт", p.account},
            {"Банк получателя", p.bank_name},
            {"БИК", p.bic},
            {"Единый казначейский счёт", p.corr_account},
            {"КБК", p.kbk},
            {"ОКТМО", p.oktmo}};
}

ReceiptPart part_of(std::size_t n, std::size_t total, const std::string& uin, const Payee& payee,
                    const std::string& purpose, std::int64_t amount, bool with_qr) {
    ReceiptPart part;
    part.heading = total > 1 ? fmt::format("Начисление {} из {}", n, total) : "Начисление";
    part.lines = {{"УИН", uin}, {"Назначение платежа", purpose}};
    for (auto& l : payee_lines(payee)) part.lines.push_back(std::move(l));
    part.lines.push_back({"Сумма", format_rubles(amount)});
    if (with_qr) part.qr_text = build_qr_text(payee, amount, purpose, uin);
    return part;
}

Response pdf(std::string body, const std::string& name) {
    Response r;
    r.content_type = "application/pdf";
    r.body = std::move(body);
    r.set_header("Content-Disposition", "inline; filename=\"" + name + "\"");
    return r;
}

Response payment_receipt(const Kit& kit, Request& req) {
    const auto p = kit->service->payment_of(req.account->id, req.param("id"));
    if (!p || !has_receipt(*p)) return kit->renderer.error_page(req, Status::not_found);
    ReceiptDoc doc;
    doc.title = "Квитанция об оплате № " + p->public_id;
    doc.head = {{"Дата и время оплаты", core::format_local(p->finished_at, req.time_zone, "ru")},
                {"Статус", p->state == PaymentState::refunded ? "Оплачено, возвращено" : "Оплачено"},
                {"Способ оплаты", "Банковская карта" + (p->card_last4.empty() ? "" : " •••• " + p->card_last4)},
                {"Идентификатор в банке", p->acquirer_id}};
    // Money given back is on the receipt too: each refund, and what stays paid.
    for (const Refund& r : p->refunds)
        if (r.state == RefundState::succeeded)
            doc.head.push_back({"Возврат " + core::format_local(r.finished_at, req.time_zone, "ru"),
                                format_rubles(r.amount) + " — " + r.reason});
    if (p->refunded_amount) doc.head.push_back({"После возвратов", format_rubles(p->amount - p->refunded_amount)});
    for (std::size_t i = 0; i < p->items.size(); ++i) {
        const auto& it = p->items[i];
        doc.parts.push_back(part_of(i + 1, p->items.size(), it.uin, it.payee, it.purpose, it.amount, true));
    }
    doc.total_figures = format_rubles(p->amount);
    doc.total_words = amount_in_words(p->amount);
    doc.footer = "Платёж принят порталом государственных услуг; получатель извещён об оплате.";
    return pdf(render_receipt_pdf(doc, kit->font_dir), "receipt-" + p->public_id + ".pdf");
}

Response branch_receipt(const Kit& kit, Request& req) {
    const std::string uin = req.param("uin");
    const auto c = uin_valid(uin) ? kit->service->charge(uin) : std::nullopt;
    const bool own_fee = c && c->source == Source::fee && req.account && req.account->id == c->account_id;
    if (!c || (c->source == Source::fee && !own_fee) || c->paid || c->amount_due <= 0)
        return kit->renderer.error_page(req, Status::not_found);
    ReceiptDoc doc;
    doc.title = "Извещение — квитанция для оплаты в банке";
    doc.head = {{"Основание", c->legal_basis}};
    if (c->due_date) doc.head.push_back({"Оплатить до", core::format_ru_date(*c->due_date)});
    if (c->discount.active && c->discount.last_day)
        doc.head.push_back({"Скидка", fmt::format("{} % при оплате по {} включительно", c->discount.rate_percent,
                                                  core::format_ru_date(*c->discount.last_day))});
    doc.parts.push_back(part_of(1, 1, c->uin, c->payee, c->purpose, c->amount_due, true));
    doc.total_figures = format_rubles(c->amount_due);
    doc.total_words = amount_in_words(c->amount_due);
    doc.footer = "Плательщик (Ф. И. О., адрес): ______________________________   Подпись: ____________";
    return pdf(render_receipt_pdf(doc, kit->font_dir), "charge-" + c->uin + ".pdf");
}

}  // namespace

void register_receipt_routes(const Kit& kit) {
    kit->router.get("/payments/charges/{uin}/receipt.pdf", [kit](Request& req) { return branch_receipt(kit, req); });
    kit->router.get("/payments/{id}/receipt.pdf", [kit](Request& req) { return payment_receipt(kit, req); },
                    http::for_signed_in());
}

}  // namespace uslugi::payments
