#pragma once

// A raw SQLite connection for tests that look under the History API: to build an old schema,
// set a version, or read pragmas.

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace slipway::test {

class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(QStringLiteral("raw-%1").arg(++counter()))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_open = db.open();
    }
    ~RawDb()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    bool isOpen() const { return m_open; }

    // Runs each statement; returns the first error's text, empty when all succeeded.
    QString exec(const QStringList &statements)
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        for (const QString &sql : statements) {
            QSqlQuery query(db);
            if (!query.exec(sql))
                return sql + QStringLiteral(": ") + query.lastError().text();
        }
        return {};
    }

    // The first column of the first row, or an invalid QVariant.
    QVariant scalar(const QString &sql)
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }

private:
    static int &counter()
    {
        static int value = 0;
        return value;
    }
    QString m_name;
    bool m_open = false;
};

// Schema version 1 as Slipway 0.1 wrote it (a copy, so a migration test notices when
// someone edits the released migration instead of adding one).
inline QStringList schemaV1()
{
    return {
        QStringLiteral("CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                       " source TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL)"),
        QStringLiteral(
            "CREATE TABLE releases (id INTEGER PRIMARY KEY,"
            " project_id INTEGER NOT NULL REFERENCES projects(id), commit_id TEXT NOT NULL DEFAULT '',"
            " ref TEXT NOT NULL DEFAULT '', image TEXT NOT NULL DEFAULT '',"
            " digest TEXT NOT NULL DEFAULT '', build_ms INTEGER NOT NULL DEFAULT 0,"
            " created INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE release_layers (release_id INTEGER NOT NULL REFERENCES releases(id)"
                       " ON DELETE CASCADE, position INTEGER NOT NULL, name TEXT NOT NULL DEFAULT '',"
                       " digest TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (release_id, position))"),
        QStringLiteral("CREATE TABLE deployments (id INTEGER PRIMARY KEY,"
                       " release_id INTEGER NOT NULL REFERENCES releases(id), target TEXT NOT NULL,"
                       " started INTEGER NOT NULL, finished INTEGER, result TEXT NOT NULL CHECK (result IN"
                       " ('running', 'succeeded', 'failed', 'interrupted', 'cancelled')),"
                       " error TEXT NOT NULL DEFAULT '', log TEXT NOT NULL DEFAULT '')"),
        QStringLiteral(
            "CREATE TABLE targets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
            " endpoint TEXT NOT NULL, tls_ca TEXT NOT NULL DEFAULT '', tls_cert TEXT NOT NULL DEFAULT '',"
            " tls_key TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL)"),
        QStringLiteral("PRAGMA user_version = 1"),
    };
}

// Schema version 2 as Slipway 0.2 wrote it: version 1 and the step to 2 (a copy, as above).
inline QStringList schemaV2()
{
    QStringList statements = schemaV1();
    statements.removeLast();
    statements << QStringLiteral("ALTER TABLE deployments ADD COLUMN owner_pid INTEGER")
               << QStringLiteral("ALTER TABLE deployments ADD COLUMN owner_host TEXT NOT NULL DEFAULT ''")
               << QStringLiteral("CREATE INDEX deployments_by_target ON deployments (target, result)")
               << QStringLiteral("CREATE INDEX releases_by_project ON releases (project_id)")
               << QStringLiteral("PRAGMA user_version = 2");
    return statements;
}

// Schema version 3 as Slipway 0.3 wrote it: version 2 and the step to 3 (a copy, as above).
inline QStringList schemaV3()
{
    QStringList statements = schemaV2();
    statements.removeLast();
    statements << QStringLiteral("ALTER TABLE releases ADD COLUMN deploy_settings TEXT NOT NULL DEFAULT ''")
               << QStringLiteral("PRAGMA user_version = 3");
    return statements;
}

// Schema version 7 as Slipway 0.7 wrote it: version 3 and the steps to 7 (a copy, as above).
inline QStringList schemaV7()
{
    QStringList statements = schemaV3();
    statements.removeLast();
    statements << QStringLiteral("ALTER TABLE releases ADD COLUMN message TEXT NOT NULL DEFAULT ''")
               << QStringLiteral("ALTER TABLE deployments ADD COLUMN repaired INTEGER")
               << QStringLiteral("CREATE TABLE operations (id INTEGER PRIMARY KEY, app TEXT NOT NULL,"
                                 " target TEXT NOT NULL, action TEXT NOT NULL CHECK (action IN"
                                 " ('stop', 'start', 'restart', 'remove')),"
                                 " release_id INTEGER REFERENCES releases(id), user TEXT NOT NULL DEFAULT '',"
                                 " host TEXT NOT NULL DEFAULT '', started INTEGER NOT NULL,"
                                 " finished INTEGER NOT NULL, succeeded INTEGER NOT NULL,"
                                 " error TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '')")
               << QStringLiteral("CREATE INDEX operations_by_target ON operations (target, app)")
               << QStringLiteral("CREATE TABLE release_platforms (release_id INTEGER NOT NULL"
                                 " REFERENCES releases(id) ON DELETE CASCADE, position INTEGER NOT NULL,"
                                 " platform TEXT NOT NULL, digest TEXT NOT NULL,"
                                 " image_id TEXT NOT NULL DEFAULT '', PRIMARY KEY (release_id, position))")
               << QStringLiteral("PRAGMA user_version = 7");
    return statements;
}

// Schema version 8 as Slipway 0.8 wrote it: version 7 and the step to 8 (a copy, as above).
inline QStringList schemaV8()
{
    QStringList statements = schemaV7();
    statements.removeLast();
    statements << QStringLiteral("ALTER TABLE targets ADD COLUMN proxy_image TEXT NOT NULL DEFAULT ''")
               << QStringLiteral("ALTER TABLE targets ADD COLUMN proxy_http_port INTEGER NOT NULL DEFAULT 0")
               << QStringLiteral("ALTER TABLE targets ADD COLUMN proxy_https_port INTEGER NOT NULL DEFAULT 0")
               << QStringLiteral("PRAGMA user_version = 8");
    return statements;
}

} // namespace slipway::test
