// ProjectModel: recent projects, newest first, remembered across instances; the sample on a
// first launch; a git URL cloned into the cache with progress; remove; the slipway.toml check,
// and a suggested one written into a folder (never over one) or shown for a URL.

#include "uitestutil.h"

#include "models/projectmodel.h"
#include "projectfile/spec.h"
#include "source/gitmirror.h"

#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QGuiApplication>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUrl>

using namespace slipway::test;

class TestProjectModel final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static bool writeFile(const QString &path, const QByteArray &contents)
    {
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
    }
    static QByteArray readFile(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    QString makeDir(const QString &name)
    {
        const QString path = m_dir.filePath(name);
        QDir().mkpath(path);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        isolateSettings();
        QVERIFY(m_dir.isValid());
    }
    void init() { QSettings().clear(); }

    void firstLaunchOffersTheSample()
    {
        const QString sample = makeDir(QStringLiteral("sample"));
        ProjectModel model(m_dir.filePath(QStringLiteral("cache")), sample);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.locationAt(0), sample);
        QVERIFY(model.data(model.index(0), ProjectModel::SampleRole).toBool());
        // Told off the GUI thread, with the slipway.toml check.
        QTRY_COMPARE(model.data(model.index(0), ProjectModel::KindRole).toString(), QStringLiteral("folder"));
        QVERIFY(model.isFirstLaunch());
        // A missing sample is not offered.
        ProjectModel none(m_dir.filePath(QStringLiteral("cache")), m_dir.filePath(QStringLiteral("gone")));
        QCOMPARE(none.rowCount(), 0);
    }

    void addRememberRemove()
    {
        const QString a = makeDir(QStringLiteral("a"));
        const QString b = makeDir(QStringLiteral("b"));
        {
            ProjectModel model(m_dir.filePath(QStringLiteral("cache")), QString());
            QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            QVERIFY(model.add(a));
            QVERIFY(model.add(b));
            QVERIFY(!model.add(QString()));
            QVERIFY(!model.add(m_dir.filePath(QStringLiteral("nowhere"))));
            // A password in a URL would land in the settings file: refused, never stored.
            QVERIFY(!model.add(QStringLiteral("https://user:s3cret-pw@127.0.0.1:1/app.git")));
            model.remember(QStringLiteral("https://user:s3cret-pw@127.0.0.1:1/app.git"));
            QCOMPARE(model.locations(), (QStringList{b, a}));
            model.remember(a); // moves to the top
            QCOMPARE(model.locations(), (QStringList{a, b}));
            QVERIFY(!QSettings()
                         .value(QStringLiteral("projects/recent"))
                         .toStringList()
                         .join(u' ')
                         .contains(QStringLiteral("s3cret-pw")));
            QCOMPARE(model.data(model.index(0), ProjectModel::NameRole).toString(), QStringLiteral("a"));
            QCOMPARE(model.fromDialogUrl(QUrl::fromLocalFile(a)), a);
        }
        {
            ProjectModel again(m_dir.filePath(QStringLiteral("cache")), QString());
            QAbstractItemModelTester tester(&again, QAbstractItemModelTester::FailureReportingMode::QtTest);
            QCOMPARE(again.locations(), (QStringList{a, b}));
            again.remove(0);
            again.remove(7);
            QCOMPARE(again.locations(), QStringList{b});
        }
        ProjectModel third(m_dir.filePath(QStringLiteral("cache")), QString());
        QCOMPARE(third.locations(), QStringList{b});
        QVERIFY(!third.isFirstLaunch());
    }

    void folderWithoutSpecGetsOneWritten()
    {
        const QString folder = makeDir(QStringLiteral("site"));
        QVERIFY(writeFile(folder + QStringLiteral("/index.html"), "<h1>hi</h1>"));
        const QString other = makeDir(QStringLiteral("has-spec"));
        QVERIFY(writeFile(other + QStringLiteral("/slipway.toml"), sampleSpec));
        ProjectModel model(m_dir.filePath(QStringLiteral("cache")), QString());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.add(other));
        QVERIFY(model.add(folder));
        QTRY_COMPARE(model.data(model.index(0), ProjectModel::SpecRole).toString(),
                     QStringLiteral("missing"));
        QTRY_COMPARE(model.data(model.index(1), ProjectModel::SpecRole).toString(),
                     QStringLiteral("present"));

        QSignalSpy ready(&model, &ProjectModel::suggestionReady);
        model.suggest(0);
        QVERIFY(ready.wait(20000));
        QCOMPARE(ready.constFirst().at(0).toString(), folder);
        const QString text = ready.constFirst().at(1).toString();
        const QString why = ready.constFirst().at(2).toString();
        QVERIFY2(why.contains(QStringLiteral("index.html")), qPrintable(why));
        QVERIFY(ready.constFirst().at(3).toBool()); // a local folder: it can be written
        QVERIFY(slipway::parseSpec(text.toUtf8()));

        model.copyToClipboard(text);
        QCOMPARE(QGuiApplication::clipboard()->text(), text);

        QSignalSpy written(&model, &ProjectModel::written);
        model.writeSpec(folder, text);
        QVERIFY(written.wait(20000));
        QVERIFY2(written.constFirst().at(1).toBool(), qPrintable(written.constFirst().at(2).toString()));
        QCOMPARE(readFile(folder + QStringLiteral("/slipway.toml")), text.toUtf8());
        QCOMPARE(model.data(model.index(0), ProjectModel::SpecRole).toString(), QStringLiteral("present"));
        // No temporary file is left beside it.
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden),
                 (QStringList{QStringLiteral("index.html"), QStringLiteral("slipway.toml")}));

        // One that appeared meanwhile is never overwritten, and the refusal names it.
        written.clear();
        model.writeSpec(folder, text + QStringLiteral("# changed\n"));
        QVERIFY(written.wait(20000));
        QVERIFY(!written.constFirst().at(1).toBool());
        const QString refusal = written.constFirst().at(2).toString();
        QVERIFY2(refusal.contains(folder + QStringLiteral("/slipway.toml")) &&
                     refusal.contains(QStringLiteral("exists")),
                 qPrintable(refusal));
        QCOMPARE(readFile(folder + QStringLiteral("/slipway.toml")), text.toUtf8());
    }

    void workTreeSuggestionIsFromTheCommit()
    {
        GitRepo repo;
        QVERIFY(repo.isValid());
        QVERIFY(repo.writeFile(QStringLiteral("package.json"), "{\"main\": \"index.js\"}"));
        QVERIFY(repo.writeFile(QStringLiteral("index.js"), "x"));
        QVERIFY(!repo.commit(QStringLiteral("app")).isEmpty());
        // Not committed: a build of the repository would not see it.
        QVERIFY(repo.writeFile(QStringLiteral("node_modules/x/index.js"), "x"));
        ProjectModel model(m_dir.filePath(QStringLiteral("cache")), QString());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.add(repo.path()));
        QTRY_COMPARE(model.data(model.index(0), ProjectModel::KindRole).toString(),
                     QStringLiteral("repository"));
        QTRY_COMPARE(model.data(model.index(0), ProjectModel::SpecRole).toString(),
                     QStringLiteral("missing"));
        QSignalSpy ready(&model, &ProjectModel::suggestionReady);
        model.suggest(0);
        QVERIFY(ready.wait(20000));
        QVERIFY(ready.constFirst().at(3).toBool()); // written into the work tree...
        QVERIFY(ready.constFirst().at(4).toString().contains(QStringLiteral("commit"))); // ...then committed
        auto spec = slipway::parseSpec(ready.constFirst().at(1).toString().toUtf8());
        QVERIFY(spec);
        QCOMPARE(spec->layers.size(), 1); // no layer for the untracked node_modules/
        QCOMPARE(spec->image.entrypoint, (QStringList{QStringLiteral("node"), QStringLiteral("index.js")}));

        // A slipway.toml added behind the model's back is seen when the page looks again.
        QVERIFY(repo.writeFile(QStringLiteral("slipway.toml"), sampleSpec));
        model.checkSpecs();
        QTRY_COMPARE(model.data(model.index(0), ProjectModel::SpecRole).toString(),
                     QStringLiteral("present"));
    }

    void urlWithoutSpecIsShownNotWritten()
    {
        GitRepo repo;
        QVERIFY(repo.isValid());
        QVERIFY(
            repo.writeFile(QStringLiteral("package.json"), "{\"scripts\": {\"start\": \"node server.js\"}}"));
        QVERIFY(repo.writeFile(QStringLiteral("server.js"), "x"));
        QVERIFY(!repo.commit(QStringLiteral("no spec")).isEmpty());
        const QString url = QStringLiteral("file://") + repo.path();
        const QString cache = m_dir.filePath(QStringLiteral("url-cache"));
        ProjectModel model(cache, QString());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.add(url));
        QTRY_COMPARE_WITH_TIMEOUT(model.data(model.index(0), ProjectModel::StatusRole).toString(),
                                  QStringLiteral("ready"), 30000);
        QTRY_COMPARE(model.data(model.index(0), ProjectModel::SpecRole).toString(),
                     QStringLiteral("missing"));

        QSignalSpy ready(&model, &ProjectModel::suggestionReady);
        model.suggest(0);
        QVERIFY(ready.wait(20000));
        QVERIFY(ready.constFirst().at(2).toString().contains(QStringLiteral("package.json")));
        QVERIFY(!ready.constFirst().at(3).toBool()); // a URL: to be committed, not written
        QVERIFY(ready.constFirst().at(4).toString().contains(QStringLiteral("commit")));
        const QString text = ready.constFirst().at(1).toString();
        auto spec = slipway::parseSpec(text.toUtf8());
        QVERIFY(spec);
        QCOMPARE(spec->image.entrypoint, (QStringList{QStringLiteral("node"), QStringLiteral("server.js")}));

        QSignalSpy written(&model, &ProjectModel::written);
        model.writeSpec(url, text);
        QVERIFY(written.wait(20000));
        QVERIFY(!written.constFirst().at(1).toBool());
        QVERIFY(written.constFirst().at(2).toString().contains(url));
        QVERIFY(!QFileInfo::exists(repo.path() + QStringLiteral("/slipway.toml")));
        // A password in a location never reaches the message.
        written.clear();
        model.writeSpec(QStringLiteral("https://user:s3cret-pw@127.0.0.1:1/app.git"), text);
        QVERIFY(written.wait(20000));
        QVERIFY(!written.constFirst().at(1).toBool());
        QVERIFY2(!written.constFirst().at(2).toString().contains(QStringLiteral("s3cret-pw")),
                 qPrintable(written.constFirst().at(2).toString()));
    }

    void keepsAtMostTheLimit()
    {
        ProjectModel model(m_dir.filePath(QStringLiteral("cache")), QString());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < ProjectModel::MaximumProjects + 3; ++i)
            model.remember(QStringLiteral("/projects/p%1").arg(i));
        QCOMPARE(model.rowCount(), ProjectModel::MaximumProjects);
        QCOMPARE(model.locationAt(0), QStringLiteral("/projects/p%1").arg(ProjectModel::MaximumProjects + 2));
    }

    void urlIsClonedIntoTheCache()
    {
        GitRepo repo;
        QVERIFY(makeSampleRepository(repo));
        const QString url = QStringLiteral("file://") + repo.path();
        const QString cache = m_dir.filePath(QStringLiteral("clone-cache"));
        ProjectModel model(cache, QString());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Every status the row shows, as it shows it: a small clone can end before a poll sees it.
        QStringList statuses;
        const auto record = [&] {
            if (model.rowCount() > 0) {
                const QString status = model.data(model.index(0), ProjectModel::StatusRole).toString();
                if (statuses.isEmpty() || statuses.constLast() != status)
                    statuses.append(status);
            }
        };
        connect(&model, &QAbstractItemModel::dataChanged, this, record);
        connect(&model, &QAbstractItemModel::rowsInserted, this, record);
        QVERIFY(model.add(url));
        QTRY_COMPARE(model.data(model.index(0), ProjectModel::KindRole).toString(), QStringLiteral("url"));
        QTRY_VERIFY2(statuses.contains(QStringLiteral("cloning")), qPrintable(statuses.join(u' ')));
        QTRY_COMPARE_WITH_TIMEOUT(model.data(model.index(0), ProjectModel::StatusRole).toString(),
                                  QStringLiteral("ready"), 30000);
        QCOMPARE(model.data(model.index(0), ProjectModel::ProgressRole).toDouble(), 1.0);
        QVERIFY(QFileInfo(slipway::mirrorPath(cache, url)).isDir());
        // The mirror's default branch has a slipway.toml.
        QTRY_COMPARE(model.data(model.index(0), ProjectModel::SpecRole).toString(),
                     QStringLiteral("present"));

        // An unreachable URL reports why, naming it.
        const QString bad = QStringLiteral("file://") + m_dir.filePath(QStringLiteral("missing.git"));
        QVERIFY(model.add(bad));
        QTRY_VERIFY_WITH_TIMEOUT(model.data(model.index(0), ProjectModel::StatusRole).toString() !=
                                     QStringLiteral("cloning"),
                                 30000);
        const QString status = model.data(model.index(0), ProjectModel::StatusRole).toString();
        QVERIFY2(status.contains(QStringLiteral("missing.git")), qPrintable(status));
    }
};

QTEST_MAIN(TestProjectModel)
#include "tst_projectmodel.moc"
