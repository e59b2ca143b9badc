#include "history.h"

#include "migrations.h"
#include "util/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QVariant>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace slipway {
namespace {

std::atomic<int> connectionCounter{0};

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

// Whether a process with this id still exists on this machine.
bool processAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    if (pid == qint64(::getpid()))
        return true;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

const char *const deploymentColumns =
    "SELECT d.id, d.release_id, d.target, d.started, d.finished, d.result, d.error, d.log,"
    " p.name, r.commit_id, r.image, r.digest, r.message"
    " FROM deployments d JOIN releases r ON r.id = d.release_id JOIN projects p ON p.id = r.project_id";

} // namespace

QString deploymentResultName(DeploymentResult result)
{
    switch (result) {
    case DeploymentResult::Running:
        return QStringLiteral("running");
    case DeploymentResult::Succeeded:
        return QStringLiteral("succeeded");
    case DeploymentResult::Failed:
        return QStringLiteral("failed");
    case DeploymentResult::Interrupted:
        return QStringLiteral("interrupted");
    case DeploymentResult::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

std::optional<DeploymentResult> deploymentResultFromName(const QString &text)
{
    for (DeploymentResult result :
         {DeploymentResult::Running, DeploymentResult::Succeeded, DeploymentResult::Failed,
          DeploymentResult::Interrupted, DeploymentResult::Cancelled}) {
        if (deploymentResultName(result) == text)
            return result;
    }
    return std::nullopt;
}

struct History::Private
{
    QString path;
    QString connectionName;
    QSqlDatabase db;

    Error failed(const QString &cause) const { return Error::failed(path + QStringLiteral(": ") + cause); }
    Error badInput(const QString &cause) const
    {
        return Error::badInput(path + QStringLiteral(": ") + cause);
    }
    Error sqlError(const QSqlError &error) const
    {
        QString text = error.driverText();
        if (!error.databaseText().isEmpty())
            text = error.databaseText();
        return failed(text.simplified());
    }

    // Runs one statement with positional bindings.
    Result<QSqlQuery> exec(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery query(db);
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

    Status execAll(const QStringList &statements)
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
    Status begin()
    {
        Result<QSqlQuery> query = exec(QStringLiteral("BEGIN IMMEDIATE"));
        if (!query)
            return query.error();
        return success();
    }
    Status commit()
    {
        Result<QSqlQuery> query = exec(QStringLiteral("COMMIT"));
        if (!query) {
            rollback();
            return query.error();
        }
        return success();
    }
    void rollback() { QSqlQuery(db).exec(QStringLiteral("ROLLBACK")); }

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

    Result<int> userVersion()
    {
        Result<QSqlQuery> query = exec(QStringLiteral("PRAGMA user_version"));
        if (!query)
            return query.error();
        if (!query->next())
            return failed(QStringLiteral("cannot read the schema version"));
        return query->value(0).toInt();
    }

    Status migrate();
    Status interruptOrphans();
    Result<ReleaseRecord> readRelease(qint64 id);
    Result<std::optional<ReleaseRecord>> releaseOrNone(const QVariant &id);
    Result<QList<DeploymentRecord>> readDeployments(QSqlQuery &query);
};

Status History::Private::migrate()
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
                              .arg(step.error().message.mid(path.size() + 2)));
        qCDebug(lcHistory) << "migrated" << path << "to schema version" << version + 1;
    }
    return success();
}

Status History::Private::interruptOrphans()
{
    Result<QSqlQuery> running =
        exec(QStringLiteral("SELECT id, owner_pid, owner_host FROM deployments WHERE result = 'running'"));
    if (!running)
        return running.error();
    const QString host = QSysInfo::machineHostName();
    QList<std::pair<qint64, QString>> orphans;
    while (running->next()) {
        const qint64 id = running->value(0).toLongLong();
        const QVariant pid = running->value(1);
        const QString ownerHost = running->value(2).toString();
        if (pid.isNull()) {
            orphans.append(
                {id, QStringLiteral("interrupted: the process running it ended before it finished")});
        } else if (ownerHost == host && !processAlive(pid.toLongLong())) {
            orphans.append(
                {id, QStringLiteral("interrupted: the process running it (pid %1) ended before it finished")
                         .arg(pid.toLongLong())});
        }
        // A deployment of a live process, or of another machine sharing the file, is left alone.
    }
    running->finish();
    for (const auto &[id, error] : orphans) {
        Result<QSqlQuery> update =
            exec(QStringLiteral("UPDATE deployments SET result = 'interrupted', finished = ?, error = ?"
                                " WHERE id = ? AND result = 'running'"),
                 {nowMs(), error, id});
        if (!update)
            return update.error();
        qCWarning(lcHistory) << "deployment" << id
                             << "was still running when its process ended: marked interrupted";
    }
    return success();
}

Result<ReleaseRecord> History::Private::readRelease(qint64 id)
{
    Result<QSqlQuery> query = exec(
        QStringLiteral("SELECT r.id, p.name, r.commit_id, r.ref, r.image, r.digest, r.build_ms, r.created,"
                       " r.deploy_settings, r.message"
                       " FROM releases r JOIN projects p ON p.id = r.project_id WHERE r.id = ?"),
        {id});
    if (!query)
        return query.error();
    if (!query->next())
        return badInput(QStringLiteral("no release %1").arg(id));
    ReleaseRecord release;
    release.id = query->value(0).toLongLong();
    release.project = query->value(1).toString();
    release.commit = query->value(2).toString();
    release.ref = query->value(3).toString();
    release.image = query->value(4).toString();
    release.digest = query->value(5).toString();
    release.buildMs = query->value(6).toLongLong();
    release.created = fromMs(query->value(7));
    release.deploySettings = query->value(8).toString();
    release.message = query->value(9).toString();
    query->finish();
    Result<QSqlQuery> layers =
        exec(QStringLiteral(
                 "SELECT name, digest, size FROM release_layers WHERE release_id = ? ORDER BY position"),
             {id});
    if (!layers)
        return layers.error();
    while (layers->next()) {
        LayerRecord layer;
        layer.name = layers->value(0).toString();
        layer.digest = layers->value(1).toString();
        layer.size = layers->value(2).toLongLong();
        release.layers.append(layer);
    }
    return release;
}

Result<std::optional<ReleaseRecord>> History::Private::releaseOrNone(const QVariant &id)
{
    if (!id.isValid() || id.isNull())
        return std::optional<ReleaseRecord>();
    Result<ReleaseRecord> release = readRelease(id.toLongLong());
    if (!release)
        return release.error();
    return std::optional<ReleaseRecord>(std::move(release).value());
}

Result<QList<DeploymentRecord>> History::Private::readDeployments(QSqlQuery &query)
{
    QList<DeploymentRecord> list;
    while (query.next()) {
        DeploymentRecord record;
        record.id = query.value(0).toLongLong();
        record.releaseId = query.value(1).toLongLong();
        record.target = query.value(2).toString();
        record.started = fromMs(query.value(3));
        record.finished = fromMs(query.value(4));
        record.result =
            deploymentResultFromName(query.value(5).toString()).value_or(DeploymentResult::Failed);
        record.error = query.value(6).toString();
        record.log = query.value(7).toString();
        record.project = query.value(8).toString();
        record.commit = query.value(9).toString();
        record.image = query.value(10).toString();
        record.digest = query.value(11).toString();
        record.message = query.value(12).toString();
        list.append(record);
    }
    if (query.lastError().isValid())
        return sqlError(query.lastError());
    return list;
}

History::History()
    : d(std::make_unique<Private>())
{}

History::~History()
{
    const QString name = d->connectionName;
    d->db.close();
    d->db = QSqlDatabase();
    if (!name.isEmpty())
        QSqlDatabase::removeDatabase(name);
}

QString History::defaultPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("history.sqlite"));
}

int History::schemaVersion()
{
    return int(historyMigrations().size());
}

QString History::path() const
{
    return d->path;
}

Status History::checkIntegrity() const
{
    Result<QSqlQuery> query = d->exec(QStringLiteral("PRAGMA integrity_check"));
    if (!query)
        return query.error();
    if (!query->next())
        return d->failed(QStringLiteral("integrity check returned nothing"));
    const QString verdict = query->value(0).toString();
    if (verdict != u"ok")
        return d->failed(QStringLiteral("integrity check failed: %1").arg(verdict.simplified()));
    return success();
}

Result<std::unique_ptr<History>> History::open(const QString &path)
{
    std::unique_ptr<History> history(new History);
    Private &p = *history->d;
    p.path = QFileInfo(path).absoluteFilePath();

    const QFileInfo info(p.path);
    if (!QDir().mkpath(info.absolutePath()))
        return p.failed(QStringLiteral("cannot create the directory %1").arg(info.absolutePath()));
    if (info.exists() && !info.isFile())
        return p.failed(QStringLiteral("not a file"));
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return p.failed(QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));

    p.connectionName = QStringLiteral("slipway-history-%1").arg(connectionCounter.fetch_add(1));
    p.db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), p.connectionName);
    p.db.setDatabaseName(p.path);
    // The busy timeout from the start: switching to WAL and migrating can meet another process.
    p.db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!p.db.open())
        return p.sqlError(p.db.lastError());

    // The first statement reads the header: a file that is not SQLite fails here.
    Result<QSqlQuery> mode = p.exec(QStringLiteral("PRAGMA journal_mode = WAL"));
    if (!mode) {
        if (mode.error().message.contains(u"not a database"))
            return p.failed(QStringLiteral("not a SQLite database, or corrupt"));
        return mode.error();
    }
    if (!mode->next() || mode->value(0).toString().compare(u"wal", Qt::CaseInsensitive) != 0)
        return p.failed(QStringLiteral("cannot switch the journal to WAL mode"));
    mode->finish();
    for (const QString &pragma :
         {QStringLiteral("PRAGMA synchronous = FULL"), QStringLiteral("PRAGMA foreign_keys = ON")}) {
        if (Result<QSqlQuery> set = p.exec(pragma); !set)
            return set.error();
    }
    if (Status migrated = p.migrate(); !migrated)
        return migrated.error();
    if (Status interrupted = p.interruptOrphans(); !interrupted)
        return interrupted.error();
    qCDebug(lcHistory) << "opened" << p.path;
    return history;
}

// Targets

Status History::addTarget(const Target &target)
{
    return d->transaction<Done>([&]() -> Status {
        Result<QSqlQuery> existing =
            d->exec(QStringLiteral("SELECT 1 FROM targets WHERE name = ?"), {target.name});
        if (!existing)
            return existing.error();
        if (existing->next())
            return d->badInput(QStringLiteral("target \"%1\" already exists").arg(target.name));
        existing->finish();
        Result<QSqlQuery> insert =
            d->exec(QStringLiteral("INSERT INTO targets (name, endpoint, tls_ca, tls_cert, tls_key, created)"
                                   " VALUES (?, ?, ?, ?, ?, ?)"),
                    {target.name, target.endpoint, target.tlsCa, target.tlsCert, target.tlsKey, nowMs()});
        if (!insert)
            return insert.error();
        return success();
    });
}

Status History::updateTarget(const Target &target)
{
    Result<QSqlQuery> update =
        d->exec(QStringLiteral(
                    "UPDATE targets SET endpoint = ?, tls_ca = ?, tls_cert = ?, tls_key = ? WHERE name = ?"),
                {target.endpoint, target.tlsCa, target.tlsCert, target.tlsKey, target.name});
    if (!update)
        return update.error();
    if (update->numRowsAffected() == 0)
        return d->badInput(QStringLiteral("no target \"%1\"").arg(target.name));
    return success();
}

Status History::removeTarget(const QString &name)
{
    Result<QSqlQuery> remove = d->exec(QStringLiteral("DELETE FROM targets WHERE name = ?"), {name});
    if (!remove)
        return remove.error();
    if (remove->numRowsAffected() == 0)
        return d->badInput(QStringLiteral("no target \"%1\"").arg(name));
    return success();
}

Result<QList<Target>> History::targets() const
{
    Result<QSqlQuery> query = d->exec(
        QStringLiteral("SELECT name, endpoint, tls_ca, tls_cert, tls_key FROM targets ORDER BY name"));
    if (!query)
        return query.error();
    QList<Target> list;
    while (query->next()) {
        Target target;
        target.name = query->value(0).toString();
        target.endpoint = query->value(1).toString();
        target.tlsCa = query->value(2).toString();
        target.tlsCert = query->value(3).toString();
        target.tlsKey = query->value(4).toString();
        list.append(target);
    }
    return list;
}

Result<Target> History::target(const QString &name) const
{
    Result<QSqlQuery> query = d->exec(
        QStringLiteral("SELECT name, endpoint, tls_ca, tls_cert, tls_key FROM targets WHERE name = ?"),
        {name});
    if (!query)
        return query.error();
    if (!query->next())
        return d->badInput(QStringLiteral("no target \"%1\"").arg(name));
    Target target;
    target.name = query->value(0).toString();
    target.endpoint = query->value(1).toString();
    target.tlsCa = query->value(2).toString();
    target.tlsCert = query->value(3).toString();
    target.tlsKey = query->value(4).toString();
    return target;
}

// Projects and releases

Result<ProjectRecord> History::ensureProject(const QString &name, const QString &source)
{
    if (name.isEmpty())
        return d->badInput(QStringLiteral("a project needs a name"));
    return d->transaction<ProjectRecord>([&]() -> Result<ProjectRecord> {
        // An empty source (a release recorded without one) never erases a known source.
        Result<QSqlQuery> upsert =
            d->exec(QStringLiteral("INSERT INTO projects (name, source, created) VALUES (?, ?, ?)"
                                   " ON CONFLICT (name) DO UPDATE SET source = excluded.source"
                                   " WHERE excluded.source <> ''"),
                    {name, source, nowMs()});
        if (!upsert)
            return upsert.error();
        Result<QSqlQuery> query =
            d->exec(QStringLiteral("SELECT id, name, source, created FROM projects WHERE name = ?"), {name});
        if (!query)
            return query.error();
        if (!query->next())
            return d->failed(QStringLiteral("project \"%1\" vanished").arg(name));
        ProjectRecord project;
        project.id = query->value(0).toLongLong();
        project.name = query->value(1).toString();
        project.source = query->value(2).toString();
        project.created = fromMs(query->value(3));
        return project;
    });
}

Result<QList<ProjectRecord>> History::projects() const
{
    Result<QSqlQuery> query =
        d->exec(QStringLiteral("SELECT id, name, source, created FROM projects ORDER BY name"));
    if (!query)
        return query.error();
    QList<ProjectRecord> list;
    while (query->next()) {
        ProjectRecord project;
        project.id = query->value(0).toLongLong();
        project.name = query->value(1).toString();
        project.source = query->value(2).toString();
        project.created = fromMs(query->value(3));
        list.append(project);
    }
    return list;
}

Result<qint64> History::addRelease(const ReleaseRecord &release)
{
    if (release.project.isEmpty())
        return d->badInput(QStringLiteral("a release needs a project"));
    Result<ProjectRecord> project = ensureProject(release.project, QString());
    if (!project)
        return project.error();
    return d->transaction<qint64>([&]() -> Result<qint64> {
        Result<QSqlQuery> insert =
            d->exec(QStringLiteral(
                        "INSERT INTO releases (project_id, commit_id, ref, image, digest, build_ms, created,"
                        " deploy_settings, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                    {project->id, release.commit, release.ref, release.image, release.digest, release.buildMs,
                     nowMs(), release.deploySettings, release.message});
        if (!insert)
            return insert.error();
        const qint64 id = insert->lastInsertId().toLongLong();
        for (int position = 0; position < release.layers.size(); ++position) {
            const LayerRecord &layer = release.layers.at(position);
            Result<QSqlQuery> row =
                d->exec(QStringLiteral("INSERT INTO release_layers (release_id, position, name,"
                                       " digest, size) VALUES (?, ?, ?, ?, ?)"),
                        {id, position, layer.name, layer.digest, layer.size});
            if (!row)
                return row.error();
        }
        return id;
    });
}

Result<ReleaseRecord> History::release(qint64 id) const
{
    return d->readRelease(id);
}

Result<QList<ReleaseRecord>> History::releases(const QString &project) const
{
    Result<QSqlQuery> query =
        d->exec(QStringLiteral("SELECT r.id FROM releases r JOIN projects p ON p.id = r.project_id"
                               " WHERE p.name = ? ORDER BY r.id DESC"),
                {project});
    if (!query)
        return query.error();
    QList<qint64> ids;
    while (query->next())
        ids.append(query->value(0).toLongLong());
    query->finish();
    QList<ReleaseRecord> list;
    for (qint64 id : ids) {
        Result<ReleaseRecord> release = d->readRelease(id);
        if (!release)
            return release.error();
        list.append(std::move(release).value());
    }
    return list;
}

// Deployments

Result<qint64> History::startDeployment(qint64 releaseId, const QString &target)
{
    if (target.isEmpty())
        return d->badInput(QStringLiteral("a deployment needs a target"));
    Result<QSqlQuery> known = d->exec(QStringLiteral("SELECT 1 FROM releases WHERE id = ?"), {releaseId});
    if (!known)
        return known.error();
    if (!known->next())
        return d->badInput(QStringLiteral("no release %1").arg(releaseId));
    known->finish();
    Result<QSqlQuery> insert = d->exec(
        QStringLiteral("INSERT INTO deployments (release_id, target, started, result, owner_pid, owner_host)"
                       " VALUES (?, ?, ?, 'running', ?, ?)"),
        {releaseId, target, nowMs(), qint64(::getpid()), QSysInfo::machineHostName()});
    if (!insert)
        return insert.error();
    return insert->lastInsertId().toLongLong();
}

Status History::appendDeploymentLog(qint64 id, const QString &text)
{
    Result<QSqlQuery> update =
        d->exec(QStringLiteral("UPDATE deployments SET log = log || ? WHERE id = ? AND result = 'running'"),
                {text, id});
    if (!update)
        return update.error();
    if (update->numRowsAffected() == 0)
        return d->badInput(QStringLiteral("deployment %1 is not running").arg(id));
    return success();
}

Status History::finishDeployment(qint64 id, DeploymentResult result, const QString &error, const QString &log)
{
    if (result == DeploymentResult::Running)
        return d->badInput(QStringLiteral("deployment %1 cannot finish as running").arg(id));
    Result<QSqlQuery> update =
        d->exec(QStringLiteral("UPDATE deployments SET finished = ?, result = ?, error = ?, log = ?"
                               " WHERE id = ? AND result = 'running'"),
                {nowMs(), deploymentResultName(result), error, log, id});
    if (!update)
        return update.error();
    if (update->numRowsAffected() == 0) {
        Result<DeploymentRecord> existing = deployment(id);
        if (!existing)
            return existing.error();
        return d->badInput(QStringLiteral("deployment %1 has already finished (%2)")
                               .arg(id)
                               .arg(deploymentResultName(existing->result)));
    }
    return success();
}

Result<DeploymentRecord> History::deployment(qint64 id) const
{
    Result<QSqlQuery> query =
        d->exec(QLatin1String(deploymentColumns) + QStringLiteral(" WHERE d.id = ?"), {id});
    if (!query)
        return query.error();
    Result<QList<DeploymentRecord>> list = d->readDeployments(query.value());
    if (!list)
        return list.error();
    if (list->isEmpty())
        return d->badInput(QStringLiteral("no deployment %1").arg(id));
    return list->first();
}

Result<QList<DeploymentRecord>> History::deployments(const DeploymentFilter &filter) const
{
    QStringList conditions;
    QVariantList values;
    if (!filter.project.isEmpty()) {
        conditions.append(QStringLiteral("p.name = ?"));
        values.append(filter.project);
    }
    if (!filter.target.isEmpty()) {
        conditions.append(QStringLiteral("d.target = ?"));
        values.append(filter.target);
    }
    if (filter.result) {
        conditions.append(QStringLiteral("d.result = ?"));
        values.append(deploymentResultName(*filter.result));
    }
    QString sql = QLatin1String(deploymentColumns);
    if (!conditions.isEmpty())
        sql += QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY d.id DESC");
    if (filter.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(filter.limit);
    Result<QSqlQuery> query = d->exec(sql, values);
    if (!query)
        return query.error();
    return d->readDeployments(query.value());
}

// The newest first: by when they finished, then by id for deployments finished the same
// millisecond.
static const char *const succeededToTarget =
    "SELECT d.release_id, r.digest FROM deployments d JOIN releases r ON r.id = d.release_id"
    " WHERE d.target = ? AND d.result = 'succeeded' ORDER BY d.finished DESC, d.id DESC";

Result<std::optional<ReleaseRecord>> History::currentRelease(const QString &target) const
{
    Result<QSqlQuery> query =
        d->exec(QLatin1String(succeededToTarget) + QStringLiteral(" LIMIT 1"), {target});
    if (!query)
        return query.error();
    QVariant id;
    if (query->next())
        id = query->value(0);
    query->finish();
    return d->releaseOrNone(id);
}

Result<std::optional<ReleaseRecord>> History::previousRelease(const QString &target) const
{
    Result<QSqlQuery> query = d->exec(QLatin1String(succeededToTarget), {target});
    if (!query)
        return query.error();
    QVariant id;
    if (query->next()) {
        const QString currentDigest = query->value(1).toString();
        while (query->next()) {
            if (query->value(1).toString() != currentDigest) {
                id = query->value(0);
                break;
            }
        }
    }
    query->finish();
    return d->releaseOrNone(id);
}

} // namespace slipway
