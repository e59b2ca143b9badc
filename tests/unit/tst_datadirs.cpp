#include "util/paths.h"

#include <QStandardPaths>
#include <QTest>

using slipway::DataDirs;

class TestDataDirs final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void cleanup() { qunsetenv("SLIPWAY_HOME"); }

    void optionWins()
    {
        qputenv("SLIPWAY_HOME", "/tmp/from-env");
        const DataDirs dirs = DataDirs::resolve(QStringLiteral("/tmp/from-option"));
        QCOMPARE(dirs.config, QStringLiteral("/tmp/from-option"));
        QCOMPARE(dirs.data, QStringLiteral("/tmp/from-option"));
        QCOMPARE(dirs.cache, QStringLiteral("/tmp/from-option/cache"));
    }

    void environmentVariable()
    {
        qputenv("SLIPWAY_HOME", "/tmp/from-env/");
        QCOMPARE(DataDirs::resolve({}).cache, QStringLiteral("/tmp/from-env/cache"));
    }

    void relativeBecomesAbsolute()
    {
        const DataDirs dirs = DataDirs::resolve(QStringLiteral("rel"));
        QVERIFY(dirs.data.startsWith(u'/'));
        QVERIFY(dirs.data.endsWith(QStringLiteral("/rel")));
    }

    void xdgDefaults()
    {
        const DataDirs dirs = DataDirs::resolve({});
        const QString config = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
        const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
        QCOMPARE(dirs.config, config + QStringLiteral("/slipway"));
        QCOMPARE(dirs.cache, cache + QStringLiteral("/slipway"));
        QVERIFY(dirs.data != dirs.cache);
    }
};

QTEST_GUILESS_MAIN(TestDataDirs)
#include "tst_datadirs.moc"
