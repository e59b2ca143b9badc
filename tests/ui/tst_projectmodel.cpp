// ProjectModel: recent projects, newest first, remembered across instances; the sample on a
// first launch; a git URL cloned into the cache with progress; remove.

#include "uitestutil.h"

#include "models/projectmodel.h"
#include "source/gitmirror.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUrl>

using namespace slipway::test;

class TestProjectModel final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

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
        QCOMPARE(model.data(model.index(0), ProjectModel::KindRole).toString(), QStringLiteral("folder"));
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
        QVERIFY(model.add(url));
        QCOMPARE(model.data(model.index(0), ProjectModel::KindRole).toString(), QStringLiteral("url"));
        QCOMPARE(model.data(model.index(0), ProjectModel::StatusRole).toString(), QStringLiteral("cloning"));
        QTRY_COMPARE_WITH_TIMEOUT(model.data(model.index(0), ProjectModel::StatusRole).toString(),
                                  QStringLiteral("ready"), 30000);
        QCOMPARE(model.data(model.index(0), ProjectModel::ProgressRole).toDouble(), 1.0);
        QVERIFY(QFileInfo(slipway::mirrorPath(cache, url)).isDir());

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
