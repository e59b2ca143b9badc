// listRefs: branches and tags with their commit, summary, author and time, the default branch
// first, from a local repository in place and from a file:// URL through its mirror.

#include "gittestutil.h"

#include "source/refs.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace slipway;
using namespace slipway::test;

class TestRefs final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_repo;
    QString m_first;  // on main, tagged v1 (annotated)
    QString m_second; // on main
    QString m_feature;

    Result<QList<GitRef>> list(const QString &location)
    {
        SourceOptions options;
        options.location = location;
        options.cacheDir = m_dir.filePath(QStringLiteral("cache"));
        return listRefs(options);
    }

    static const GitRef *find(const QList<GitRef> &refs, const QString &name)
    {
        for (const GitRef &ref : refs)
            if (ref.name == name)
                return &ref;
        return nullptr;
    }

    void checkRefs(const QList<GitRef> &refs)
    {
        QCOMPARE(refs.size(), 4); // main, feature, v1, light
        QCOMPARE(refs.at(0).name, QStringLiteral("main"));
        QVERIFY(refs.at(0).isDefault);
        QCOMPARE(refs.at(0).commit, m_second);
        QCOMPARE(refs.at(0).summary, QStringLiteral("second: more pages"));
        QCOMPARE(refs.at(0).author, QStringLiteral("Slipway Test"));
        QCOMPARE(refs.at(0).time, kCommitTime + 120);
        // Then newest first: feature (t+240), then the tags of the first commit (t+60).
        QCOMPARE(refs.at(1).name, QStringLiteral("feature"));
        QCOMPARE(refs.at(1).kind, GitRef::Kind::Branch);
        QVERIFY(!refs.at(1).isDefault);
        QCOMPARE(refs.at(1).commit, m_feature);

        const GitRef *tag = find(refs, QStringLiteral("v1"));
        QVERIFY(tag);
        QCOMPARE(tag->kind, GitRef::Kind::Tag);
        QCOMPARE(tag->commit, m_first); // the annotated tag is peeled to its commit
        QCOMPARE(tag->summary, QStringLiteral("first"));
        const GitRef *light = find(refs, QStringLiteral("light"));
        QVERIFY(light);
        QCOMPARE(light->commit, m_first);
        QCOMPARE(refs.at(2).name, QStringLiteral("light")); // same time: by name
        QCOMPARE(refs.at(3).name, QStringLiteral("v1"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_repo = m_dir.filePath(QStringLiteral("repo"));
        QVERIFY(git({}, {QStringLiteral("init"), QStringLiteral("-q"), m_repo}).ok());
        QVERIFY(writeFile(m_repo + QStringLiteral("/index.html"), "one\n"));
        m_first = commitAll(m_repo, QStringLiteral("first\n\nwith a body"), kCommitTime + 60);
        QVERIFY(!m_first.isEmpty());
        QVERIFY(git(m_repo, {QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("v1"),
                             QStringLiteral("-m"), QStringLiteral("release one")})
                    .ok());
        QVERIFY(git(m_repo, {QStringLiteral("tag"), QStringLiteral("light")}).ok());
        QVERIFY(writeFile(m_repo + QStringLiteral("/two.html"), "two\n"));
        m_second = commitAll(m_repo, QStringLiteral("second: more pages"), kCommitTime + 120);
        QVERIFY(git(m_repo, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
                             QStringLiteral("feature")})
                    .ok());
        QVERIFY(writeFile(m_repo + QStringLiteral("/three.html"), "three\n"));
        m_feature = commitAll(m_repo, QStringLiteral("feature work"), kCommitTime + 240);
        QVERIFY(git(m_repo, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")}).ok());
    }

    void localRepository()
    {
        auto refs = list(m_repo);
        VERIFY_OK(refs);
        checkRefs(refs.value());
    }

    void fileUrlThroughTheMirror()
    {
        auto refs = list(QStringLiteral("file://") + m_repo);
        VERIFY_OK(refs);
        checkRefs(refs.value());
        QVERIFY(QDir(m_dir.filePath(QStringLiteral("cache/git")))
                    .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                    .size() == 1);
    }

    void errorsNameTheLocation()
    {
        const QString missing = m_dir.filePath(QStringLiteral("nowhere"));
        auto refs = list(missing);
        QVERIFY(!refs);
        QCOMPARE(refs.error().kind, Error::Kind::BadInput);
        QVERIFY2(refs.error().message.contains(missing), qPrintable(refs.error().message));

        const QString plain = m_dir.filePath(QStringLiteral("plain"));
        QVERIFY(QDir().mkpath(plain));
        refs = list(plain);
        QVERIFY(!refs);
        QVERIFY2(refs.error().message.contains(plain), qPrintable(refs.error().message));

        const QString url = QStringLiteral("file://") + m_dir.filePath(QStringLiteral("missing.git"));
        refs = list(url);
        QVERIFY(!refs);
        QVERIFY2(refs.error().message.contains(QStringLiteral("missing.git")),
                 qPrintable(refs.error().message));
    }

    void emptyRepositoryHasNoRefs()
    {
        const QString empty = m_dir.filePath(QStringLiteral("empty"));
        QVERIFY(git({}, {QStringLiteral("init"), QStringLiteral("-q"), empty}).ok());
        auto refs = list(empty);
        VERIFY_OK(refs);
        QVERIFY(refs->isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRefs)
#include "tst_refs.moc"
