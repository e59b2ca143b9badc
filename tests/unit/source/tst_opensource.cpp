// openSource tells URLs, local repositories and plain directories apart, and names the
// location in every error.

#include "gittestutil.h"

#include "source/directorysource.h"
#include "source/gitmirror.h"
#include "source/gitsource.h"
#include "source/opensource.h"
#include "util/sha256.h"

#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace slipway;
using namespace slipway::test;

class TestOpenSource final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    Result<std::unique_ptr<Source>> open(const QString &location, const QString &ref = {})
    {
        SourceOptions options;
        options.location = location;
        options.ref = ref;
        options.cacheDir = m_dir.filePath(QStringLiteral("cache"));
        return openSource(options);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    void urls_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<bool>("url");
        QTest::newRow("https") << "https://example.com/org/app.git" << true;
        QTest::newRow("http") << "http://example.com/app" << true;
        QTest::newRow("ssh") << "ssh://git@example.com:2222/srv/app.git" << true;
        QTest::newRow("git") << "git://example.com/app.git" << true;
        QTest::newRow("file") << "file:///srv/app.git" << true;
        QTest::newRow("scp-like") << "git@github.com:org/app.git" << true;
        QTest::newRow("relative path") << "some/dir" << false;
        QTest::newRow("absolute path") << "/srv/app" << false;
        QTest::newRow("colon after slash") << "./a@b:c" << false;
        QTest::newRow("no user") << "host:path" << false;
    }

    void urls()
    {
        QFETCH(QString, location);
        QFETCH(bool, url);
        QCOMPARE(isGitUrl(location), url);
    }

    // One identity per repository, however it is reached.
    void sourceIdentities_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("identity");
        QTest::newRow("https") << "https://GitHub.com/Team/api.git"
                               << "github.com/Team/api";
        QTest::newRow("https with user, port, slash") << "https://me@example.com:8443/team/api/"
                                                      << "example.com/team/api";
        QTest::newRow("scp") << "git@github.com:Team/api.git"
                             << "github.com/Team/api";
        QTest::newRow("ssh") << "ssh://git@example.com:2222/srv/api.git"
                             << "example.com/srv/api";
        QTest::newRow("git") << "git://example.com/api"
                             << "example.com/api";
        QTest::newRow("plain directory") << "/srv/not-a-repository/../api"
                                         << "/srv/api";
    }

    void sourceIdentities()
    {
        QFETCH(QString, location);
        QFETCH(QString, identity);
        QCOMPARE(sourceIdentity(location), identity);
    }

    // A clone is its origin; one without an origin is its path.
    void sourceIdentityOfAWorkTree()
    {
        const QString tree = m_dir.filePath(QStringLiteral("identity"));
        QVERIFY(QDir().mkpath(tree));
        QVERIFY(git(tree, {QStringLiteral("init"), QStringLiteral("-q")}).ok());
        QCOMPARE(sourceIdentity(tree + QStringLiteral("/")), tree);
        QVERIFY(git(tree, {QStringLiteral("remote"), QStringLiteral("add"), QStringLiteral("origin"),
                           QStringLiteral("git@github.com:Team/api.git")})
                    .ok());
        QCOMPARE(sourceIdentity(tree), QStringLiteral("github.com/Team/api"));
        QCOMPARE(sourceIdentity(QStringLiteral("file://") + tree), QStringLiteral("github.com/Team/api"));
    }

    void mirrorNames_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("name");
        QTest::newRow("https") << "https://example.com/org/app.git"
                               << "app";
        QTest::newRow("trailing slash") << "https://example.com/org/app/"
                                        << "app";
        QTest::newRow("scp") << "git@github.com:org/tool.git"
                             << "tool";
        QTest::newRow("odd characters") << "ssh://h/srv/my app+x.git"
                                        << "my_app_x";
        QTest::newRow("no path") << "git://example.com"
                                 << "repo";
        QTest::newRow("dot name") << "git://example.com/.hidden"
                                  << "repo.hidden";
    }

    void mirrorNames()
    {
        QFETCH(QString, url);
        QFETCH(QString, name);
        const QString path = mirrorPath(QStringLiteral("/cache"), url);
        const QString hash = Sha256::hexOf(url.toUtf8()).left(16);
        QCOMPARE(path, QStringLiteral("/cache/git/%1-%2.git").arg(name, hash));
    }

    void passwordsStayOutOfMessages()
    {
        QCOMPARE(displayUrl(QStringLiteral("https://user:s3cret@example.com/app.git")),
                 QStringLiteral("https://user@example.com/app.git"));
        QCOMPARE(displayUrl(QStringLiteral("git@github.com:org/app.git")),
                 QStringLiteral("git@github.com:org/app.git"));
    }

    void missingPath()
    {
        const QString missing = m_dir.filePath(QStringLiteral("nothing-here"));
        auto source = open(missing);
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::BadInput);
        QCOMPARE(source.error().message, QStringLiteral("%1: no such file or directory").arg(missing));
    }

    void emptyLocation()
    {
        auto source = open(QString());
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::BadInput);
    }

    void aFileIsNoSource()
    {
        const QString file = m_dir.filePath(QStringLiteral("file.txt"));
        QVERIFY(writeFile(file, "x"));
        auto source = open(file);
        QVERIFY(!source);
        QCOMPARE(source.error().message,
                 QStringLiteral("%1 is not a directory or a git repository").arg(file));
    }

    void unsupportedScheme()
    {
        auto source = open(QStringLiteral("ftp://example.com/app.git"));
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::BadInput);
        QCOMPARE(source.error().message, QStringLiteral("ftp://example.com/app.git: unsupported URL scheme "
                                                        "'ftp' (use https, http, ssh, git or file)"));
    }

    void workTreeBareAndPlainDirectory()
    {
        const QString work = m_dir.filePath(QStringLiteral("work"));
        QVERIFY(git({}, {QStringLiteral("init"), QStringLiteral("-q"), work}).ok());
        QVERIFY(writeFile(work + QStringLiteral("/committed"), "1"));
        const QString commit = commitAll(work, QStringLiteral("one"));
        QVERIFY(!commit.isEmpty());
        // Uncommitted changes are not part of the source: what is deployed is a commit.
        QVERIFY(writeFile(work + QStringLiteral("/uncommitted"), "2"));

        auto source = open(work);
        VERIFY_OK(source);
        QVERIFY(dynamic_cast<GitSource *>(source->get()));
        QCOMPARE((*source)->revision(), commit);
        QCOMPARE((*source)->files().size(), 1);

        const QString bare = m_dir.filePath(QStringLiteral("bare.git"));
        QVERIFY(git({}, {QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--bare"), work, bare})
                    .ok());
        source = open(bare);
        VERIFY_OK(source);
        QVERIFY(dynamic_cast<GitSource *>(source->get()));
        QCOMPARE((*source)->revision(), commit);

        // A subdirectory of a work tree is a plain directory: no search upwards.
        QVERIFY(writeFile(work + QStringLiteral("/sub/file"), "3"));
        source = open(work + QStringLiteral("/sub"));
        VERIFY_OK(source);
        QVERIFY(dynamic_cast<DirectorySource *>(source->get()));
    }

    void brokenRepository()
    {
        const QString dir = m_dir.filePath(QStringLiteral("broken"));
        QVERIFY(writeFile(dir + QStringLiteral("/.git"), "gitdir: /nowhere\n"));
        auto source = open(dir);
        QVERIFY(!source);
        QCOMPARE(source.error().kind, Error::Kind::Failed);
        QVERIFY2(
            source.error().message.startsWith(QStringLiteral("%1 is not a usable git repository: ").arg(dir)),
            qPrintable(source.error().message));
    }
};

QTEST_GUILESS_MAIN(TestOpenSource)
#include "tst_opensource.moc"
