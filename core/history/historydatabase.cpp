#include "history/historydatabase.h"

#include "history/migrations.h"
#include "util/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QSqlError>

#include <atomic>

namespace slipway {
namespace {

std::atomic<int> connectionCounter{0};

// SQLite's result code for a file whose header is not a database's (SQLITE_NOTADB), as the
// QSQLITE driver reports it in QSqlError::nativeErrorCode().
const QLatin1String notADatabase("26");

// How long a writer waits for another process's lock, in milliseconds.
constexpr int busyTimeoutMs = 10000;

} // namespace

HistoryDatabase::~HistoryDatabase()
{
    m_db.close();
    m_db = QSqlDatabase();
    if (!m_connectionName.isEmpty())
        QSqlDatabase::removeDatabase(m_connectionName);
}

qint64 HistoryDatabase::nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime HistoryDatabase::fromMs(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

Error HistoryDatabase::failed(const QString &cause) const
{
    return Error::failed(m_path + QStringLiteral(": ") + cause);
}

Error HistoryDatabase::badInput(const QString &cause) const
{
    return Error::badInput(m_path + QStringLiteral(": ") + cause);
}

Error HistoryDatabase::sqlError(const QSqlError &error) const
{
    QString text = error.driverText();
    if (!error.databaseText().isEmpty())
        text = error.databaseText();
    return failed(text.simplified());
}

Result<QSqlQuery> HistoryDatabase::exec(const QString &sql, const QVariantList &values)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        return sqlError(query.lastError());
    for (const QVariant &value : values) {
        // A null QString binds as SQL NULL; the text columns are NOT NULL, '' means none.
        if (value.typeId() == QMetaType::QString && value.toString().isNull())
            query.addBindValue(QStringLiteral(""));
        else
            query.addBindValue(value);
    }
    if (!query.exec())
        return sqlError(query.lastError());
    return query;
}

Status HistoryDatabase::execAll(const QStringList &statements)
{
    for (const QString &sql : statements) {
        Result<QSqlQuery> query = exec(sql);
        if (!query)
            return query.error();
    }
    return success();
}

// BEGIN IMMEDIATE takes the write lock at once, so two processes migrating or writing
// wait for each other (busy timeout) instead of failing half way.
Status HistoryDatabase::begin()
{
    Result<QSqlQuery> query = exec(QStringLiteral("BEGIN IMMEDIATE"));
    if (!query)
        return query.error();
    return success();
}

Status HistoryDatabase::commit()
{
    Result<QSqlQuery> query = exec(QStringLiteral("COMMIT"));
    if (!query) {
        rollback();
        return query.error();
    }
    return success();
}

void HistoryDatabase::rollback()
{
    QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
}

Result<int> HistoryDatabase::userVersion()
{
    Result<QSqlQuery> query = exec(QStringLiteral("PRAGMA user_version"));
    if (!query)
        return query.error();
    if (!query->next())
        return failed(QStringLiteral("cannot read the schema version"));
    return query->value(0).toInt();
}

Status HistoryDatabase::migrate()
{
    const int latest = int(historyMigrations().size());
    Result<int> before = userVersion();
    if (!before)
        return before.error();
    if (*before > latest)
        return failed(
            QStringLiteral("the database has schema version %1, written by a newer Slipway; this one "
                           "reads up to version %2 and leaves the file unchanged")
                .arg(*before)
                .arg(latest));
    for (int version = *before; version < latest; ++version) {
        Status step = transaction<Done>([&]() -> Status {
            // Another process may have migrated while this one waited for the lock.
            Result<int> current = userVersion();
            if (!current)
                return current.error();
            if (*current != version)
                return success();
            if (Status applied = execAll(historyMigrations().at(version)); !applied)
                return applied.error();
            Result<QSqlQuery> bump = exec(QStringLiteral("PRAGMA user_version = %1").arg(version + 1));
            if (!bump)
                return bump.error();
            return success();
        });
        if (!step)
            return failed(QStringLiteral("migration to schema version %1 failed: %2")
                              .arg(version + 1)
                              .arg(step.error().message.mid(m_path.size() + 2)));
        qCDebug(lcHistory) << "migrated" << m_path << "to schema version" << version + 1;
    }
    return success();
}

Status HistoryDatabase::open(const QString &path)
{
    m_path = QFileInfo(path).absoluteFilePath();
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        return failed(QStringLiteral("cannot create the directory %1").arg(info.absolutePath()));
    if (info.exists() && !info.isFile())
        return failed(QStringLiteral("not a file"));
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return failed(QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));
    // One process at a time switches a new file to WAL and migrates: until the first has, a
    // second one can meet the file half in rollback mode, where SQLite ends a lock wait at once
    // with "database is locked". After that, WAL and the busy timeout let writers take turns.
    QLockFile lock(m_path + QStringLiteral(".lock"));
    lock.setStaleLockTime(0); // stale only when its owner is gone
    if (!lock.tryLock(busyTimeoutMs))
        return failed(
            lock.error() == QLockFile::LockFailedError
                ? QStringLiteral("another process has been opening it for %1 s").arg(busyTimeoutMs / 1000)
                : QStringLiteral("cannot lock %1.lock").arg(m_path));
    if (Status connected = connect(); !connected)
        return connected;
    return migrate();
}

Status HistoryDatabase::connect()
{
    m_connectionName = QStringLiteral("slipway-history-%1").arg(connectionCounter.fetch_add(1));
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(m_path);
    // The busy timeout from the start: switching to WAL and migrating can meet another process.
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeoutMs));
    if (!m_db.open())
        return sqlError(m_db.lastError());

    // The first statement reads the header: a file that is not SQLite fails here.
    QSqlQuery mode(m_db);
    mode.setForwardOnly(true);
    if (!mode.prepare(QStringLiteral("PRAGMA journal_mode = WAL")) || !mode.exec()) {
        if (mode.lastError().nativeErrorCode() == notADatabase)
            return failed(QStringLiteral("not a SQLite database, or corrupt"));
        return sqlError(mode.lastError());
    }
    if (!mode.next() || mode.value(0).toString().compare(u"wal", Qt::CaseInsensitive) != 0)
        return failed(QStringLiteral("cannot switch the journal to WAL mode"));
    mode.finish();
    for (const QString &pragma :
         {QStringLiteral("PRAGMA synchronous = FULL"), QStringLiteral("PRAGMA foreign_keys = ON")}) {
        if (Result<QSqlQuery> set = exec(pragma); !set)
            return set.error();
    }
    return success();
}

} // namespace slipway
