#pragma once
// Receipts as PDF (PAY-2): the receipt of a payment made on the portal, and
// the printed receipt a payer takes to a bank branch. libharu draws them with
// DejaVu fonts (Cyrillic); each charge carries its GOST R 56042 payment QR
// code (libqrencode), which a banking app reads to fill in the transfer.
// Payment documents are in Russian, as the banks and the Treasury read them.
#include <string>
#include <vector>

namespace uslugi::payments {

struct ReceiptLine {
    std::string label, value;
};

struct ReceiptPart {
    std::string heading;             // "Начисление 1 из 2"
    std::vector<ReceiptLine> lines;  // payee, UIN, purpose, amount …
    std::string qr_text;             // ST00012|…
};

struct ReceiptDoc {
    std::string title;                // "Квитанция об оплате № …"
    std::vector<ReceiptLine> head;    // number, date, status, card
    std::vector<ReceiptPart> parts;
    std::string total_figures;        // "1 234,56 ₽"
    std::string total_words;          // "Одна тысяча двести тридцать четыре рубля 56 копеек"
    std::string footer;
};

// Throws std::runtime_error when the document cannot be made.
std::string render_receipt_pdf(const ReceiptDoc& doc, const std::string& font_dir);

}  // namespace uslugi::payments
