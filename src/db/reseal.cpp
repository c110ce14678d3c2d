#include "db/reseal.hpp"

#include "core/log.hpp"
#include "db/transaction.hpp"

#include <limits>

namespace uslugi::db {

namespace {

struct LegacyRow {
    long long id = 0;
    std::vector<std::string> keys;
    std::vector<std::string> values;  // "" for NULL
};

std::string select_legacy(const SealedTable& t, int batch) {
    std::string sql = "SELECT " + t.id_column;
    for (const auto& k : t.key_columns) sql += ", CAST(" + k + " AS TEXT)";
    for (const auto& c : t.sealed_columns) sql += ", " + c;
    sql += " FROM " + t.table + " WHERE " + t.id_column + " > :after AND (";
    for (std::size_t i = 0; i < t.sealed_columns.size(); ++i)
        sql += (i ? " OR " : "") + ("SUBSTR(" + t.sealed_columns[i] + ", 1, 3) = 'v1.'");
    return sql + ") ORDER BY " + t.id_column + " LIMIT " + std::to_string(batch);
}

std::vector<LegacyRow> read_batch(soci::session& tx, const SealedTable& t, long long after, int batch) {
    std::vector<LegacyRow> rows;
    soci::rowset<soci::row> rs = (tx.prepare << select_legacy(t, batch), soci::use(after));
    for (const soci::row& r : rs) {
        LegacyRow row;
        row.id = r.get_properties(0).get_data_type() == soci::dt_integer ? r.get<int>(0) : r.get<long long>(0);
        std::size_t i = 1;
        for (std::size_t k = 0; k < t.key_columns.size(); ++k, ++i)
            row.keys.push_back(r.get_indicator(i) == soci::i_ok ? r.get<std::string>(i) : std::string());
        for (std::size_t c = 0; c < t.sealed_columns.size(); ++c, ++i)
            row.values.push_back(r.get_indicator(i) == soci::i_ok ? r.get<std::string>(i) : std::string());
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace

ResealResult reseal_legacy_values(Database& db, const core::DataProtector& protector, const SealedTable& t,
                                  int batch) {
    ResealResult total;
    long long after = std::numeric_limits<long long>::min();
    for (;;) {
        // One transaction per batch: an interruption loses at most one batch,
        // and the rows it read are simply found again by the next run.
        const std::size_t read = transact(db, [&](soci::session& tx) {
            const auto rows = read_batch(tx, t, after, batch);
            for (const auto& row : rows) {
                for (std::size_t c = 0; c < t.sealed_columns.size(); ++c) {
                    const std::string& old = row.values[c];
                    if (!core::DataProtector::is_legacy(old)) continue;
                    const std::string& column = t.sealed_columns[c];
                    const core::SealContext where = t.context(column, row.id, row.keys);
                    std::string fresh;
                    try {
                        fresh = protector.seal(protector.open(old, where), where);
                    } catch (const core::UnreadableValue& e) {
                        ++total.unreadable;
                        core::app_log().warn("re-seal: {}; left as it is", e.what());
                        continue;
                    }
                    soci::statement st = (tx.prepare << "UPDATE " + t.table + " SET " + column + " = :fresh WHERE " +
                                                            t.id_column + " = :id AND " + column + " = :old",
                                          soci::use(fresh), soci::use(row.id), soci::use(old));
                    st.execute(true);
                    total.converted += static_cast<int>(st.get_affected_rows());
                }
            }
            if (!rows.empty()) after = rows.back().id;
            return rows.size();
        });
        if (read < static_cast<std::size_t>(batch)) break;
    }
    if (total.converted || total.unreadable)
        core::app_log().info("re-seal of {}: {} values converted, {} unreadable", t.table, total.converted,
                             total.unreadable);
    return total;
}

}  // namespace uslugi::db
