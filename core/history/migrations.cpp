#include "history/migrations.h"

namespace slipway {

const QList<QStringList> &historyMigrations()
{
    static const QList<QStringList> list = {
        // 0 -> 1: the first schema.
        {
            QStringLiteral("CREATE TABLE projects ("
                           " id INTEGER PRIMARY KEY,"
                           " name TEXT NOT NULL UNIQUE,"
                           " source TEXT NOT NULL DEFAULT '',"
                           " created INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE releases ("
                           " id INTEGER PRIMARY KEY,"
                           " project_id INTEGER NOT NULL REFERENCES projects(id),"
                           " commit_id TEXT NOT NULL DEFAULT '',"
                           " ref TEXT NOT NULL DEFAULT '',"
                           " image TEXT NOT NULL DEFAULT '',"
                           " digest TEXT NOT NULL DEFAULT '',"
                           " build_ms INTEGER NOT NULL DEFAULT 0,"
                           " created INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE release_layers ("
                           " release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,"
                           " position INTEGER NOT NULL,"
                           " name TEXT NOT NULL DEFAULT '',"
                           " digest TEXT NOT NULL,"
                           " size INTEGER NOT NULL,"
                           " PRIMARY KEY (release_id, position))"),
            QStringLiteral("CREATE TABLE deployments ("
                           " id INTEGER PRIMARY KEY,"
                           " release_id INTEGER NOT NULL REFERENCES releases(id),"
                           " target TEXT NOT NULL,"
                           " started INTEGER NOT NULL,"
                           " finished INTEGER,"
                           " result TEXT NOT NULL CHECK (result IN"
                           "  ('running', 'succeeded', 'failed', 'interrupted', 'cancelled')),"
                           " error TEXT NOT NULL DEFAULT '',"
                           " log TEXT NOT NULL DEFAULT '')"),
            QStringLiteral("CREATE TABLE targets ("
                           " id INTEGER PRIMARY KEY,"
                           " name TEXT NOT NULL UNIQUE,"
                           " endpoint TEXT NOT NULL,"
                           " tls_ca TEXT NOT NULL DEFAULT '',"
                           " tls_cert TEXT NOT NULL DEFAULT '',"
                           " tls_key TEXT NOT NULL DEFAULT '',"
                           " created INTEGER NOT NULL)"),
        },
        // 1 -> 2: which process runs a deployment (so open() interrupts only orphans), and
        // indexes for the per-target and per-project listings.
        {
            QStringLiteral("ALTER TABLE deployments ADD COLUMN owner_pid INTEGER"),
            QStringLiteral("ALTER TABLE deployments ADD COLUMN owner_host TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("CREATE INDEX deployments_by_target ON deployments (target, result)"),
            QStringLiteral("CREATE INDEX releases_by_project ON releases (project_id)"),
        },
        // 2 -> 3: the [deploy] settings a release was deployed with (JSON), so a rollback deploys
        // it the same way from the database alone. '' for releases recorded before.
        {
            QStringLiteral("ALTER TABLE releases ADD COLUMN deploy_settings TEXT NOT NULL DEFAULT ''"),
        },
        // 3 -> 4: the commit's summary line, for history listings. '' for releases recorded
        // before (and for directory sources).
        {
            QStringLiteral("ALTER TABLE releases ADD COLUMN message TEXT NOT NULL DEFAULT ''"),
        },
        // 4 -> 5: when an interrupted deployment's target was put back as it was (repair.h);
        // NULL until then.
        {
            QStringLiteral("ALTER TABLE deployments ADD COLUMN repaired INTEGER"),
        },
        // 5 -> 6: operations on an app's containers (app stop|start|restart|remove): who, when,
        // what, and how it ended.
        {
            QStringLiteral("CREATE TABLE operations ("
                           " id INTEGER PRIMARY KEY,"
                           " app TEXT NOT NULL,"
                           " target TEXT NOT NULL,"
                           " action TEXT NOT NULL CHECK (action IN ('stop', 'start', 'restart', 'remove')),"
                           " release_id INTEGER REFERENCES releases(id),"
                           " user TEXT NOT NULL DEFAULT '',"
                           " host TEXT NOT NULL DEFAULT '',"
                           " started INTEGER NOT NULL,"
                           " finished INTEGER NOT NULL,"
                           " succeeded INTEGER NOT NULL,"
                           " error TEXT NOT NULL DEFAULT '',"
                           " detail TEXT NOT NULL DEFAULT '')"),
            QStringLiteral("CREATE INDEX operations_by_target ON operations (target, app)"),
        },
        // 6 -> 7: each platform's image of a release, so that every target runs its own
        // platform's. None for releases recorded before.
        {
            QStringLiteral("CREATE TABLE release_platforms ("
                           " release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,"
                           " position INTEGER NOT NULL,"
                           " platform TEXT NOT NULL,"
                           " digest TEXT NOT NULL,"
                           " image_id TEXT NOT NULL DEFAULT '',"
                           " PRIMARY KEY (release_id, position))"),
        },
        // 7 -> 8: each target's proxy for zero-downtime deploys: its image ('' the pinned
        // default) and the host ports it takes (0: 80 and 443). Targets recorded before get those.
        {
            QStringLiteral("ALTER TABLE targets ADD COLUMN proxy_image TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE targets ADD COLUMN proxy_http_port INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE targets ADD COLUMN proxy_https_port INTEGER NOT NULL DEFAULT 0"),
        },
        // 8 -> 9: operations may be 'maintenance' and 'live' (an app's route through the
        // target's proxy). SQLite cannot change a CHECK constraint: the table is made again
        // with the wider one and every row copied, ids included.
        {
            QStringLiteral("CREATE TABLE operations_next ("
                           " id INTEGER PRIMARY KEY,"
                           " app TEXT NOT NULL,"
                           " target TEXT NOT NULL,"
                           " action TEXT NOT NULL CHECK (action IN"
                           "  ('stop', 'start', 'restart', 'remove', 'maintenance', 'live')),"
                           " release_id INTEGER REFERENCES releases(id),"
                           " user TEXT NOT NULL DEFAULT '',"
                           " host TEXT NOT NULL DEFAULT '',"
                           " started INTEGER NOT NULL,"
                           " finished INTEGER NOT NULL,"
                           " succeeded INTEGER NOT NULL,"
                           " error TEXT NOT NULL DEFAULT '',"
                           " detail TEXT NOT NULL DEFAULT '')"),
            QStringLiteral("INSERT INTO operations_next (id, app, target, action, release_id, user, host,"
                           " started, finished, succeeded, error, detail)"
                           " SELECT id, app, target, action, release_id, user, host, started, finished,"
                           " succeeded, error, detail FROM operations"),
            QStringLiteral("DROP TABLE operations"),
            QStringLiteral("ALTER TABLE operations_next RENAME TO operations"),
            QStringLiteral("CREATE INDEX operations_by_target ON operations (target, app)"),
        },
    };
    return list;
}

} // namespace slipway
