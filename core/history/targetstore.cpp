#include "history/targetstore.h"

#include "history/historydatabase.h"

namespace slipway {
namespace {

// Every column readTarget() reads, in its order.
const QString targetColumns = QStringLiteral(
    "name, endpoint, tls_ca, tls_cert, tls_key, proxy_image, proxy_http_port, proxy_https_port");

// The columns of "SELECT " + targetColumns.
Target readTarget(const QSqlQuery &query)
{
    Target target;
    target.name = query.value(0).toString();
    target.endpoint = query.value(1).toString();
    target.tlsCa = query.value(2).toString();
    target.tlsCert = query.value(3).toString();
    target.tlsKey = query.value(4).toString();
    target.proxyImage = query.value(5).toString();
    target.proxyHttpPort = query.value(6).toInt();
    target.proxyHttpsPort = query.value(7).toInt();
    return target;
}

} // namespace

Status TargetStore::add(const Target &target)
{
    return m_db.transaction<Done>([&]() -> Status {
        Result<QSqlQuery> existing =
            m_db.exec(QStringLiteral("SELECT 1 FROM targets WHERE name = ?"), {target.name});
        if (!existing)
            return existing.error();
        if (existing->next())
            return m_db.badInput(QStringLiteral("target \"%1\" already exists").arg(target.name));
        existing->finish();
        Result<QSqlQuery> insert = m_db.exec(
            QStringLiteral("INSERT INTO targets (name, endpoint, tls_ca, tls_cert, tls_key, proxy_image,"
                           " proxy_http_port, proxy_https_port, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            {target.name, target.endpoint, target.tlsCa, target.tlsCert, target.tlsKey, target.proxyImage,
             target.proxyHttpPort, target.proxyHttpsPort, HistoryDatabase::nowMs()});
        if (!insert)
            return insert.error();
        return success();
    });
}

Status TargetStore::update(const Target &target)
{
    Result<QSqlQuery> update = m_db.exec(
        QStringLiteral(
            "UPDATE targets SET endpoint = ?, tls_ca = ?, tls_cert = ?, tls_key = ?, proxy_image = ?,"
            " proxy_http_port = ?, proxy_https_port = ? WHERE name = ?"),
        {target.endpoint, target.tlsCa, target.tlsCert, target.tlsKey, target.proxyImage,
         target.proxyHttpPort, target.proxyHttpsPort, target.name});
    if (!update)
        return update.error();
    if (update->numRowsAffected() == 0)
        return m_db.badInput(QStringLiteral("no target \"%1\"").arg(target.name));
    return success();
}

Status TargetStore::remove(const QString &name)
{
    Result<QSqlQuery> remove = m_db.exec(QStringLiteral("DELETE FROM targets WHERE name = ?"), {name});
    if (!remove)
        return remove.error();
    if (remove->numRowsAffected() == 0)
        return m_db.badInput(QStringLiteral("no target \"%1\"").arg(name));
    return success();
}

Result<QList<Target>> TargetStore::all() const
{
    Result<QSqlQuery> query =
        m_db.exec(QStringLiteral("SELECT %1 FROM targets ORDER BY name").arg(targetColumns));
    if (!query)
        return query.error();
    QList<Target> list;
    while (query->next())
        list.append(readTarget(query.value()));
    return list;
}

Result<Target> TargetStore::find(const QString &name) const
{
    Result<QSqlQuery> query =
        m_db.exec(QStringLiteral("SELECT %1 FROM targets WHERE name = ?").arg(targetColumns), {name});
    if (!query)
        return query.error();
    if (!query->next())
        return m_db.badInput(QStringLiteral("no target \"%1\"").arg(name));
    return readTarget(query.value());
}

} // namespace slipway
