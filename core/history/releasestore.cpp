#include "history/releasestore.h"

#include "history/historydatabase.h"

#include <QCryptographicHash>

#include <optional>

namespace slipway {
namespace {

// The columns of "SELECT id, name, source, created FROM projects".
ProjectRecord readProject(const QSqlQuery &query)
{
    ProjectRecord project;
    project.id = query.value(0).toLongLong();
    project.name = query.value(1).toString();
    project.source = query.value(2).toString();
    project.created = HistoryDatabase::fromMs(query.value(3));
    return project;
}

} // namespace

Result<ProjectRecord> ReleaseStore::ensureProject(const QString &name, const QString &source)
{
    if (name.isEmpty())
        return m_db.badInput(QStringLiteral("a project needs a name"));
    return m_db.transaction<ProjectRecord>([&]() -> Result<ProjectRecord> {
        // An empty source (a release recorded without one) never erases a known source.
        Result<QSqlQuery> upsert =
            m_db.exec(QStringLiteral("INSERT INTO projects (name, source, created) VALUES (?, ?, ?)"
                                     " ON CONFLICT (name) DO UPDATE SET source = excluded.source"
                                     " WHERE excluded.source <> ''"),
                      {name, source, HistoryDatabase::nowMs()});
        if (!upsert)
            return upsert.error();
        Result<QSqlQuery> query = m_db.exec(
            QStringLiteral("SELECT id, name, source, created FROM projects WHERE name = ?"), {name});
        if (!query)
            return query.error();
        if (!query->next())
            return m_db.failed(QStringLiteral("project \"%1\" vanished").arg(name));
        return readProject(query.value());
    });
}

Result<ProjectRecord> ReleaseStore::projectOfSource(const QString &name, const QString &source)
{
    if (name.isEmpty() || source.isEmpty())
        return m_db.badInput(QStringLiteral("a project needs a name and a source"));
    return m_db.transaction<ProjectRecord>([&]() -> Result<ProjectRecord> {
        const auto find = [&](const char *column,
                              const QString &value) -> Result<std::optional<ProjectRecord>> {
            Result<QSqlQuery> query = m_db.exec(
                QStringLiteral(
                    "SELECT id, name, source, created FROM projects WHERE %1 = ? ORDER BY id LIMIT 1")
                    .arg(QLatin1String(column)),
                {value});
            if (!query)
                return query.error();
            if (!query->next())
                return std::optional<ProjectRecord>();
            return std::optional<ProjectRecord>(readProject(query.value()));
        };
        auto known = find("source", source);
        if (!known)
            return known.error();
        if (known.value())
            return *known.value();
        auto named = find("name", name);
        if (!named)
            return named.error();
        QString chosen = name;
        if (named.value() && !named.value()->source.isEmpty()) {
            // Another repository has the name: this one gets it with its own suffix.
            chosen =
                name + u'-' +
                QString::fromLatin1(
                    QCryptographicHash::hash(source.toUtf8(), QCryptographicHash::Sha256).toHex().left(6));
        }
        // A project of the name without a source (recorded before sources were) is this one's.
        Result<QSqlQuery> upsert =
            m_db.exec(QStringLiteral("INSERT INTO projects (name, source, created) VALUES (?, ?, ?)"
                                     " ON CONFLICT (name) DO UPDATE SET source = excluded.source"
                                     " WHERE projects.source = ''"),
                      {chosen, source, HistoryDatabase::nowMs()});
        if (!upsert)
            return upsert.error();
        auto made = find("source", source);
        if (!made)
            return made.error();
        if (!made.value())
            return m_db.failed(
                QStringLiteral("project \"%1\" of %2 could not be recorded").arg(chosen, source));
        return *made.value();
    });
}

Result<QList<ProjectRecord>> ReleaseStore::projects() const
{
    Result<QSqlQuery> query =
        m_db.exec(QStringLiteral("SELECT id, name, source, created FROM projects ORDER BY name"));
    if (!query)
        return query.error();
    QList<ProjectRecord> list;
    while (query->next())
        list.append(readProject(query.value()));
    return list;
}

Result<qint64> ReleaseStore::add(const ReleaseRecord &release)
{
    if (release.project.isEmpty())
        return m_db.badInput(QStringLiteral("a release needs a project"));
    Result<ProjectRecord> project = ensureProject(release.project, QString());
    if (!project)
        return project.error();
    return m_db.transaction<qint64>([&]() -> Result<qint64> {
        Result<QSqlQuery> insert = m_db.exec(
            QStringLiteral(
                "INSERT INTO releases (project_id, commit_id, ref, image, digest, build_ms, created,"
                " deploy_settings, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            {project->id, release.commit, release.ref, release.image, release.digest, release.buildMs,
             HistoryDatabase::nowMs(), release.deploySettings, release.message});
        if (!insert)
            return insert.error();
        const qint64 id = insert->lastInsertId().toLongLong();
        for (int position = 0; position < release.layers.size(); ++position) {
            const LayerRecord &layer = release.layers.at(position);
            Result<QSqlQuery> row =
                m_db.exec(QStringLiteral("INSERT INTO release_layers (release_id, position, name,"
                                         " digest, size) VALUES (?, ?, ?, ?, ?)"),
                          {id, position, layer.name, layer.digest, layer.size});
            if (!row)
                return row.error();
        }
        for (int position = 0; position < release.platforms.size(); ++position) {
            const PlatformRecord &platform = release.platforms.at(position);
            Result<QSqlQuery> row =
                m_db.exec(QStringLiteral("INSERT INTO release_platforms (release_id, position, platform,"
                                         " digest, image_id) VALUES (?, ?, ?, ?, ?)"),
                          {id, position, platform.platform, platform.digest, platform.imageId});
            if (!row)
                return row.error();
        }
        return id;
    });
}

Result<ReleaseRecord> ReleaseStore::find(qint64 id) const
{
    Result<QSqlQuery> query = m_db.exec(
        QStringLiteral("SELECT r.id, p.name, r.commit_id, r.ref, r.image, r.digest, r.build_ms, r.created,"
                       " r.deploy_settings, r.message"
                       " FROM releases r JOIN projects p ON p.id = r.project_id WHERE r.id = ?"),
        {id});
    if (!query)
        return query.error();
    if (!query->next())
        return m_db.badInput(QStringLiteral("no release %1").arg(id));
    ReleaseRecord release;
    release.id = query->value(0).toLongLong();
    release.project = query->value(1).toString();
    release.commit = query->value(2).toString();
    release.ref = query->value(3).toString();
    release.image = query->value(4).toString();
    release.digest = query->value(5).toString();
    release.buildMs = query->value(6).toLongLong();
    release.created = HistoryDatabase::fromMs(query->value(7));
    release.deploySettings = query->value(8).toString();
    release.message = query->value(9).toString();
    query->finish();
    Result<QSqlQuery> layers =
        m_db.exec(QStringLiteral(
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
    layers->finish();
    Result<QSqlQuery> platforms =
        m_db.exec(QStringLiteral("SELECT platform, digest, image_id FROM release_platforms WHERE release_id "
                                 "= ? ORDER BY position"),
                  {id});
    if (!platforms)
        return platforms.error();
    while (platforms->next())
        release.platforms.append(PlatformRecord{.platform = platforms->value(0).toString(),
                                                .digest = platforms->value(1).toString(),
                                                .imageId = platforms->value(2).toString()});
    return release;
}

Result<QList<ReleaseRecord>> ReleaseStore::ofProject(const QString &project) const
{
    Result<QSqlQuery> query =
        m_db.exec(QStringLiteral("SELECT r.id FROM releases r JOIN projects p ON p.id = r.project_id"
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
        Result<ReleaseRecord> release = find(id);
        if (!release)
            return release.error();
        list.append(std::move(release).value());
    }
    return list;
}

Result<std::optional<ReleaseRecord>> ReleaseStore::findOrNone(const QVariant &id) const
{
    if (!id.isValid() || id.isNull())
        return std::optional<ReleaseRecord>();
    Result<ReleaseRecord> release = find(id.toLongLong());
    if (!release)
        return release.error();
    return std::optional<ReleaseRecord>(std::move(release).value());
}

} // namespace slipway
