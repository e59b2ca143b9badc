// The window's words are translatable: the English catalogue is built in and is what lupdate
// makes of today's sources, and the build's check (checkstrings) catches a string left bare.

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

class TestTranslations final : public QObject
{
    Q_OBJECT

private:
    struct Run
    {
        int exitCode = -1;
        QString output;
    };

    static Run run(const QString &program, const QStringList &arguments)
    {
        QProcess process;
        process.setWorkingDirectory(QStringLiteral(SLIPWAY_SOURCE_DIR));
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit)
            return {};
        return {process.exitCode(), QString::fromUtf8(process.readAll())};
    }

private Q_SLOTS:
    // Built into the module's resources; its plural forms are English ones.
    void theEnglishCatalogueIsBuiltIn()
    {
        QTranslator translator;
        QVERIFY(translator.load(QLocale(QLocale::English, QLocale::UnitedKingdom), QStringLiteral("slipway"),
                                QStringLiteral("_"), QStringLiteral(":/i18n")));
        QCOMPARE(translator.translate("AppsPage", "%n restart(s)", "", 1), QStringLiteral("%n restart"));
        QCOMPARE(translator.translate("AppsPage", "%n restart(s)", "", 3), QStringLiteral("%n restarts"));
        QVERIFY(!translator.isEmpty());
        // The rail's page names are there too (Navigation::titles).
        QVERIFY(QCoreApplication::installTranslator(&translator));
        QCOMPARE(QCoreApplication::translate("AppsPage", "%n restart(s)", "", 1),
                 QStringLiteral("1 restart"));
        QCoreApplication::removeTranslator(&translator);
    }

    // ui/i18n/slipway_en.ts is current: lupdate over ui/ changes nothing in a copy of it. (When it
    // does: cmake --build --preset default --target update_translations, and commit the file.)
    void theCatalogueIsCurrent()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString committed = QStringLiteral(SLIPWAY_SOURCE_DIR "/ui/i18n/slipway_en.ts");
        const QString copy = dir.filePath(QStringLiteral("slipway_en.ts"));
        QVERIFY(QFile::copy(committed, copy));
        const Run lupdate =
            run(QStringLiteral(SLIPWAY_LUPDATE),
                {QStringLiteral("ui"), QStringLiteral("-extensions"), QStringLiteral("cpp,h,qml"),
                 QStringLiteral("-no-obsolete"), QStringLiteral("-locations"), QStringLiteral("none"),
                 QStringLiteral("-ts"), copy});
        QVERIFY2(lupdate.exitCode == 0, qPrintable(lupdate.output));
        QFile before(committed);
        QFile after(copy);
        QVERIFY(before.open(QIODevice::ReadOnly) && after.open(QIODevice::ReadOnly));
        QVERIFY2(before.readAll() == after.readAll(),
                 qPrintable(QStringLiteral("ui/i18n/slipway_en.ts is out of date (%1): run cmake --build "
                                           "--preset default --target update_translations")
                                .arg(lupdate.output.trimmed())));
    }

    // What the build's check flags, and what it leaves: code strings, symbols, marked lines.
    void bareStringsFailTheBuildCheck()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString qml = dir.filePath(QStringLiteral("Page.qml"));
        QFile file(qml);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"(import QtQuick.Controls
Page {
    title: "Bare title"
    Label { text: qsTr("Fine"); objectName: "notShown" }
    Label { text: "Inline bare"; color: "red" }
    Label {
        text: busy
              ? "Working"
              : qsTr("Done")
    }
    Label { text: state === "done" ? Theme.stateIcon("failed") : "✓" }
    Label { text: qsTr("%1 of %2").arg(a).arg("apples") }
    Label { text: row["name"] + "\n" }
    Label { text: "Slipway" // notr: the product name
    }
    Button { Accessible.name: "Close"; ToolTip.text: qsTr("Close the dialog") }
    TextField { placeholderText: cond ? qsTr("a") : 'single quoted' }
}
)");
        file.close();
        const QString stamp = dir.filePath(QStringLiteral("stamp"));
        const Run check = run(QStringLiteral(SLIPWAY_CHECKSTRINGS), {stamp, qml});
        QCOMPARE(check.exitCode, 1);
        QVERIFY(!QFile::exists(stamp));
        const QStringList lines = check.output.trimmed().split(u'\n');
        const QStringList expected{
            qml + QStringLiteral(":3: \"Bare title\" in title is not translatable"),
            qml + QStringLiteral(":5: \"Inline bare\" in text is not translatable"),
            qml + QStringLiteral(":7: \"Working\" in text is not translatable"),
            qml + QStringLiteral(":12: \"apples\" in text is not translatable"),
            qml + QStringLiteral(":16: \"Close\" in Accessible.name is not translatable"),
            qml + QStringLiteral(":17: \"single quoted\" in placeholderText is not translatable"),
        };
        QCOMPARE(lines.size(), expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i)
            QVERIFY2(lines.at(i).startsWith(expected.at(i)), qPrintable(lines.at(i)));

        // The window's own QML passes, and the stamp the build depends on is written.
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("Label { text: qsTr(\"Fine\") }\n");
        file.close();
        const Run clean = run(QStringLiteral(SLIPWAY_CHECKSTRINGS), {stamp, qml});
        QVERIFY2(clean.exitCode == 0, qPrintable(clean.output));
        QVERIFY(QFile::exists(stamp));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
