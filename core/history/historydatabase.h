#pragma once

#include "util/result.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

class QSqlError;

namespace slipway {

// The history database's connection (SQLite through Qt Sql): opening it in WAL mode with a busy
// timeout, migrating its schema, and running statements and transactions. Errors are one line
// that names the file. For the thread that opened it.
class HistoryDatabase final
{
public:
    HistoryDatabase() = default;
    ~HistoryDatabase();
    HistoryDatabase(const HistoryDatabase &) = delete;
    HistoryDatabase &operator=(const HistoryDatabase &) = delete;

    // Opens (creating the file and its directory if needed) and migrates. Refuses a file that is
    // not SQLite, and a database written by a newer Slipway (never downgraded).
    Status open(const QString &path);
    QString path() const { return m_path; }

    Error failed(const QString &cause) const;
    Error badInput(const QString &cause) const;
    Error sqlError(const QSqlError &error) const;

    // Runs one statement with positional bindings.
    Result<QSqlQuery> exec(const QString &sql, const QVariantList &values = {});

    // Runs body inside one write transaction; rolls back when it fails.
    template<typename T, typename Body>
    Result<T> transaction(Body body)
    {
        if (Status started = begin(); !started)
            return started.error();
        Result<T> result = body();
        if (!result) {
            rollback();
            return result;
        }
        if (Status committed = commit(); !committed)
            return committed.error();
        return result;
    }

    // Timestamps are stored as milliseconds since the epoch, UTC.
    static qint64 nowMs();
    static QDateTime fromMs(const QVariant &value); // NULL: an invalid QDateTime

private:
    Status connect();
    Status execAll(const QStringList &statements);
    Status begin();
    Status commit();
    void rollback();
    Result<int> userVersion();
    Status migrate();

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
};

} // namespace slipway
