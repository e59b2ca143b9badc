#include "commandline.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace slipway::cli;
using Action = ParseOutcome::Action;

class TestCommandLine final : public QObject
{
    Q_OBJECT

private:
    static ParseOutcome parse(const QStringList &arguments)
    {
        return parseCommandLine(QStringList{QStringLiteral("slipway-cli")} + arguments);
    }

    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    static Run runCli(const QStringList &arguments)
    {
        QProcess process;
        process.start(QStringLiteral(SLIPWAY_CLI), arguments);
        Run run;
        if (process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit)
            run.exitCode = process.exitCode();
        run.out = QString::fromUtf8(process.readAllStandardOutput());
        run.err = QString::fromUtf8(process.readAllStandardError());
        return run;
    }

private Q_SLOTS:
    void helpListsEveryCommand()
    {
        const ParseOutcome outcome = parse({QStringLiteral("--help")});
        QCOMPARE(outcome.action, Action::ShowText);
        // Each on a line of its own, set apart from its summary ("target upgrade-proxy" ran into
        // its summary once).
        for (const QString &command : commandNames())
            QVERIFY2(outcome.text.contains(QStringLiteral("\n  ") + command + QStringLiteral("  ")),
                     qPrintable(command));
        QCOMPARE(commandNames(), (QStringList{QStringLiteral("build"),
                                              QStringLiteral("push"),
                                              QStringLiteral("target add"),
                                              QStringLiteral("target list"),
                                              QStringLiteral("target check"),
                                              QStringLiteral("target upgrade-proxy"),
                                              QStringLiteral("target remove"),
                                              QStringLiteral("deploy"),
                                              QStringLiteral("history"),
                                              QStringLiteral("history show"),
                                              QStringLiteral("logs"),
                                              QStringLiteral("app list"),
                                              QStringLiteral("app stop"),
                                              QStringLiteral("app start"),
                                              QStringLiteral("app restart"),
                                              QStringLiteral("app remove"),
                                              QStringLiteral("app maintenance"),
                                              QStringLiteral("app live"),
                                              QStringLiteral("rollback"),
                                              QStringLiteral("repair"),
                                              QStringLiteral("login"),
                                              QStringLiteral("logout"),
                                              QStringLiteral("secret set"),
                                              QStringLiteral("secret list"),
                                              QStringLiteral("secret rm")}));
    }

    void noArgumentsShowsHelp() { QCOMPARE(parse({}).action, Action::ShowText); }

    void commandHelp()
    {
        const ParseOutcome outcome = parse({QStringLiteral("build"), QStringLiteral("--help")});
        QCOMPARE(outcome.action, Action::ShowText);
        QVERIFY(outcome.text.startsWith(QStringLiteral("Usage: slipway-cli build SOURCE")));
        QVERIFY(outcome.text.contains(QStringLiteral("--compression gzip|zstd|none")));
        QCOMPARE(parse({QStringLiteral("help"), QStringLiteral("target"), QStringLiteral("add")}).text,
                 parse({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("-h")}).text);
    }

    void parsesBuild()
    {
        const ParseOutcome outcome =
            parse({QStringLiteral("--data-dir"), QStringLiteral("/tmp/x"), QStringLiteral("build"),
                   QStringLiteral("https://example.com/app.git"), QStringLiteral("--ref=main"),
                   QStringLiteral("--compression"), QStringLiteral("zstd"), QStringLiteral("--jobs"),
                   QStringLiteral("4"), QStringLiteral("--json")});
        QCOMPARE(outcome.action, Action::Run);
        const Invocation &invocation = outcome.invocation;
        QCOMPARE(invocation.command, QStringLiteral("build"));
        QCOMPARE(invocation.arguments, QStringList{QStringLiteral("https://example.com/app.git")});
        QCOMPARE(invocation.value(QStringLiteral("ref")), QStringLiteral("main"));
        QCOMPARE(invocation.value(QStringLiteral("compression")), QStringLiteral("zstd"));
        QCOMPARE(invocation.value(QStringLiteral("jobs")), QStringLiteral("4"));
        QVERIFY(!invocation.isSet(QStringLiteral("push")));
        QVERIFY(invocation.json);
        QCOMPARE(invocation.dataDir, QStringLiteral("/tmp/x"));
    }

    void parsesRepeatedTargets()
    {
        const ParseOutcome outcome =
            parse({QStringLiteral("deploy"), QStringLiteral("."), QStringLiteral("--target"),
                   QStringLiteral("a"), QStringLiteral("--target"), QStringLiteral("b")});
        QCOMPARE(outcome.action, Action::Run);
        QCOMPARE(outcome.invocation.values(QStringLiteral("target")),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    }

    void parsesTargetSubcommands()
    {
        const ParseOutcome outcome =
            parse({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("prod"),
                   QStringLiteral("--endpoint"), QStringLiteral("ssh://deploy@prod.example.com")});
        QCOMPARE(outcome.action, Action::Run);
        QCOMPARE(outcome.invocation.command, QStringLiteral("target add"));
        QCOMPARE(outcome.invocation.arguments, QStringList{QStringLiteral("prod")});
        QCOMPARE(parse({QStringLiteral("target"), QStringLiteral("list")}).invocation.command,
                 QStringLiteral("target list"));
        const ParseOutcome app =
            parse({QStringLiteral("app"), QStringLiteral("restart"), QStringLiteral("web"),
                   QStringLiteral("--target"), QStringLiteral("prod"), QStringLiteral("--no-wait")});
        QCOMPARE(app.action, Action::Run);
        QCOMPARE(app.invocation.command, QStringLiteral("app restart"));
        QCOMPARE(app.invocation.arguments, QStringList{QStringLiteral("web")});
        QVERIFY(app.invocation.isSet(QStringLiteral("no-wait")));
        // maintenance and live take what stop takes.
        for (const QString &action : {QStringLiteral("maintenance"), QStringLiteral("live")}) {
            const ParseOutcome proxied =
                parse({QStringLiteral("app"), action, QStringLiteral("web"), QStringLiteral("--target"),
                       QStringLiteral("prod"), QStringLiteral("--env"), QStringLiteral("staging"),
                       QStringLiteral("--no-wait")});
            QCOMPARE(proxied.action, Action::Run);
            QCOMPARE(proxied.invocation.command, QStringLiteral("app ") + action);
            QCOMPARE(proxied.invocation.values(QStringLiteral("target")),
                     QStringList{QStringLiteral("prod")});
            QCOMPARE(proxied.invocation.value(QStringLiteral("env")), QStringLiteral("staging"));
            const ParseOutcome help = parse({QStringLiteral("app"), action, QStringLiteral("--help")});
            QCOMPARE(help.action, Action::ShowText);
            QVERIFY2(help.text.startsWith(QStringLiteral("Usage: slipway-cli app %1 APP [--target NAME] "
                                                         "[--env NAME] [--no-wait]")
                                              .arg(action)),
                     qPrintable(help.text));
        }
        QCOMPARE(parse({QStringLiteral("app"), QStringLiteral("maintenance")}).text,
                 QStringLiteral("slipway-cli app maintenance: missing APP (see 'slipway-cli app maintenance "
                                "--help')"));
        const ParseOutcome unknown =
            parse({QStringLiteral("app"), QStringLiteral("reboot"), QStringLiteral("web")});
        QCOMPARE(unknown.action, Action::UsageError);
        QCOMPARE(unknown.text,
                 QStringLiteral("slipway-cli app: unknown command 'reboot' (see 'slipway-cli app --help')"));
    }

    // "history show ID" beside "history"; a value of --project that reads "show" is no command.
    void parsesHistoryShowAndQuiet()
    {
        ParseOutcome outcome =
            parse({QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("12")});
        QCOMPARE(outcome.action, Action::Run);
        QCOMPARE(outcome.invocation.command, QStringLiteral("history show"));
        QCOMPARE(outcome.invocation.arguments, QStringList{QStringLiteral("12")});
        QVERIFY(!outcome.invocation.quiet);
        outcome = parse({QStringLiteral("history"), QStringLiteral("--project"), QStringLiteral("show")});
        QCOMPARE(outcome.action, Action::Run);
        QCOMPARE(outcome.invocation.command, QStringLiteral("history"));
        QCOMPARE(outcome.invocation.value(QStringLiteral("project")), QStringLiteral("show"));
        QCOMPARE(
            parse({QStringLiteral("history"), QStringLiteral("show")}).text,
            QStringLiteral("slipway-cli history show: missing ID (see 'slipway-cli history show --help')"));
        for (const QString &flag : {QStringLiteral("--quiet"), QStringLiteral("-q")}) {
            outcome = parse({flag, QStringLiteral("deploy"), QStringLiteral("."), QStringLiteral("--target"),
                             QStringLiteral("a")});
            QCOMPARE(outcome.action, Action::Run);
            QVERIFY(outcome.invocation.quiet);
        }
    }

    void durations()
    {
        QCOMPARE(parseDuration(QStringLiteral("90")), 90);
        QCOMPARE(parseDuration(QStringLiteral("90s")), 90);
        QCOMPARE(parseDuration(QStringLiteral("10m")), 600);
        QCOMPARE(parseDuration(QStringLiteral("2h")), 7200);
        QCOMPARE(parseDuration(QStringLiteral("1d")), 86400);
        for (const char *bad : {"", "0", "-5m", "m", "10x", "1.5h", "99999999999d"})
            QVERIFY2(parseDuration(QString::fromLatin1(bad)) == 0, bad);
        const ParseOutcome outcome =
            parse({QStringLiteral("logs"), QStringLiteral("web"), QStringLiteral("--tail"),
                   QStringLiteral("0"), QStringLiteral("--follow")});
        QCOMPARE(outcome.action, Action::Run);
        QVERIFY(outcome.invocation.isSet(QStringLiteral("follow")));
    }

    void rejectsBadUsage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")}
                                         << QStringLiteral("slipway-cli: unknown command 'frobnicate'");
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("build"), QStringLiteral("."), QStringLiteral("--fast")}
            << QStringLiteral("slipway-cli build: unknown option 'fast'");
        QTest::newRow("unknown global option") << QStringList{QStringLiteral("--verbose")}
                                               << QStringLiteral("slipway-cli: unknown option '--verbose'");
        QTest::newRow("missing argument")
            << QStringList{QStringLiteral("build")} << QStringLiteral("slipway-cli build: missing SOURCE");
        QTest::newRow("extra argument")
            << QStringList{QStringLiteral("target"), QStringLiteral("list"), QStringLiteral("x")}
            << QStringLiteral("slipway-cli target list: unexpected argument 'x'");
        QTest::newRow("missing value")
            << QStringList{QStringLiteral("build"), QStringLiteral("."), QStringLiteral("--ref")}
            << QStringLiteral("slipway-cli build: missing value after '--ref'");
        QTest::newRow("bad compression")
            << QStringList{QStringLiteral("build"), QStringLiteral("."), QStringLiteral("--compression"),
                           QStringLiteral("xz")}
            << QStringLiteral("slipway-cli build: --compression takes gzip, zstd or "
                              "none, not 'xz'");
        QTest::newRow("bad jobs") << QStringList{QStringLiteral("build"), QStringLiteral("."),
                                                 QStringLiteral("--jobs"), QStringLiteral("0")}
                                  << QStringLiteral(
                                         "slipway-cli build: --jobs takes a whole number above 0, not '0'");
        QTest::newRow("bad duration")
            << QStringList{QStringLiteral("logs"), QStringLiteral("web"), QStringLiteral("--since"),
                           QStringLiteral("10 minutes")}
            << QStringLiteral("slipway-cli logs: --since takes a duration such as 90s, 10m, 2h or 1d, not "
                              "'10 minutes'");
        QTest::newRow("negative tail")
            << QStringList{QStringLiteral("logs"), QStringLiteral("web"), QStringLiteral("--tail"),
                           QStringLiteral("-3")}
            << QStringLiteral("slipway-cli logs: --tail takes a whole number, 0 or "
                              "more, not '-3'");
        QTest::newRow("required option") << QStringList{QStringLiteral("rollback")}
                                         << QStringLiteral("slipway-cli rollback: --target NAME is required");
        QTest::newRow("unknown subcommand") << QStringList{QStringLiteral("target"), QStringLiteral("rename")}
                                            << QStringLiteral("slipway-cli target: unknown command 'rename'");
        QTest::newRow("no subcommand")
            << QStringList{QStringLiteral("target")}
            << QStringLiteral("slipway-cli target: needs a subcommand: add, list, check "
                              "or remove");
    }
    void rejectsBadUsage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const ParseOutcome outcome = parse(arguments);
        QCOMPARE(outcome.action, Action::UsageError);
        QVERIFY2(outcome.text.startsWith(message), qPrintable(outcome.text));
        QVERIFY(!outcome.text.contains(u'\n'));
    }

    // The executable itself: exit statuses and where text goes.
    void executableExitStatuses()
    {
        Run run = runCli({QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains(QStringLiteral("target check")));

        run = runCli({QStringLiteral("--version")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith(QStringLiteral("slipway-cli " SLIPWAY_VERSION)), qPrintable(run.out));

        run = runCli({QStringLiteral("launch")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QCOMPARE(run.err.trimmed(),
                 QStringLiteral("slipway-cli: unknown command 'launch' (see 'slipway-cli --help')"));

        run = runCli({QStringLiteral("history"), QStringLiteral("--limit"), QStringLiteral("many")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("--limit takes a whole number")));

        // With --json, an error is JSON on stdout too, for scripts that read only stdout.
        QTemporaryDir data;
        run = runCli({QStringLiteral("--data-dir"), data.path(), QStringLiteral("--json"),
                      QStringLiteral("history"), QStringLiteral("show"), QStringLiteral("99")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.startsWith(QStringLiteral("slipway-cli history show: ")) &&
                     run.err.contains(QStringLiteral("no deployment 99")),
                 qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("exitCode")).toInt(), 2);
        QCOMPARE(json.value(QStringLiteral("command")).toString(), QStringLiteral("history show"));
        QVERIFY2(json.value(QStringLiteral("error")).toString().contains(QStringLiteral("no deployment 99")),
                 qPrintable(run.out));
        run = runCli({QStringLiteral("--json"), QStringLiteral("launch")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).object().value(QStringLiteral("exitCode")).toInt(),
                 2);
        run = runCli({QStringLiteral("--data-dir"), data.path(), QStringLiteral("history"),
                      QStringLiteral("show"), QStringLiteral("x1")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("'x1' is not a deployment id")), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
