// RefModel: refs listed off the GUI thread arrive as one reset, in listRefs' order, with every
// role; a newer load() wins over an older one; errors name the location.

#include "uitestutil.h"

#include "models/refmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace slipway::test;

class TestRefModel final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_cache;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_cache.isValid());
    }

    void listsRefsWithTheirCommits()
    {
        GitRepo repo;
        QVERIFY(makeSampleRepository(repo));
        RefModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &RefModel::loaded);
        model.load(repo.path(), m_cache.path());
        QVERIFY(model.isLoading());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QVERIFY(!model.isLoading());
        QVERIFY2(model.error().isEmpty(), qPrintable(model.error()));
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex main = model.index(0);
        QCOMPARE(model.data(main, RefModel::NameRole).toString(), QStringLiteral("main"));
        QCOMPARE(model.data(main, Qt::DisplayRole).toString(), QStringLiteral("main"));
        QCOMPARE(model.data(main, RefModel::KindRole).toString(), QStringLiteral("branch"));
        QCOMPARE(model.data(main, RefModel::CommitRole).toString(),
                 repo.git({QStringLiteral("rev-parse"), QStringLiteral("main")}));
        QCOMPARE(model.data(main, RefModel::ShortCommitRole).toString().size(), 7);
        QCOMPARE(model.data(main, RefModel::SummaryRole).toString(), QStringLiteral("second: a readme"));
        QCOMPARE(model.data(main, RefModel::AuthorRole).toString(), QStringLiteral("Slipway Test"));
        QVERIFY(model.data(main, RefModel::TimeRole).toDateTime().isValid());
        QVERIFY(model.data(main, RefModel::DefaultRole).toBool());
        QVERIFY(!model.data(model.index(1), RefModel::DefaultRole).toBool());
        QCOMPARE(model.indexOf(QStringLiteral("feature")), 1);
        QCOMPARE(model.nameAt(1), QStringLiteral("feature"));
        QCOMPARE(model.nameAt(5), QString());
        QVERIFY(model.roleNames().values().contains("summary"));

        // A tag appears on the next load.
        QVERIFY(repo.gitOk({QStringLiteral("tag"), QStringLiteral("v1")}));
        model.load(repo.path(), m_cache.path());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 2, 20000);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.data(model.index(model.indexOf(QStringLiteral("v1"))), RefModel::KindRole).toString(),
                 QStringLiteral("tag"));
    }

    void newerLoadWins()
    {
        GitRepo first;
        QVERIFY(makeSampleRepository(first));
        GitRepo second;
        QVERIFY(second.writeFile(QStringLiteral("a"), "a"));
        QVERIFY(!second.commit(QStringLiteral("only")).isEmpty());
        RefModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &RefModel::loaded);
        model.load(first.path(), m_cache.path());
        model.load(second.path(), m_cache.path());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QTest::qWait(200); // an answer of the first load, if it came late, is ignored
        QCOMPARE(loaded.size(), 1);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0), RefModel::SummaryRole).toString(), QStringLiteral("only"));
    }

    void errorsAndEmptyLocation()
    {
        RefModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &RefModel::loaded);
        const QString missing = m_cache.filePath(QStringLiteral("missing"));
        model.load(missing, m_cache.path());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY2(model.error().contains(missing), qPrintable(model.error()));
        // A URL's password never shows in the error.
        model.load(QStringLiteral("https://user:s3cret-pw@127.0.0.1:1/app.git"), m_cache.path());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 2, 30000);
        QVERIFY(!model.error().isEmpty());
        QVERIFY2(!model.error().contains(QStringLiteral("s3cret-pw")), qPrintable(model.error()));
        model.load(QString(), m_cache.path());
        QVERIFY(!model.isLoading());
        QVERIFY(model.error().isEmpty());
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestRefModel)
#include "tst_refmodel.moc"
