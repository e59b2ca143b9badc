#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace slipway::test {

// One run of slipway-cli, with its exit status and both streams kept apart.
struct CliRun
{
    int exitCode = -1; // -1: it crashed or did not finish
    QByteArray out;
    QString err;

    // The error lines of stderr ("slipway-cli COMMAND: ..."), without the progress lines
    // printed when stderr is not a terminal.
    QStringList errors() const
    {
        QStringList lines;
        for (const QString &line : err.split(u'\n'))
            if (line.startsWith(QStringLiteral("slipway-cli")))
                lines.append(line);
        return lines;
    }
};

// Runs the slipway-cli under test (SLIPWAY_CLI, set by slipway_add_test) with extra environment
// assignments ("NAME=value"), and `input` on its standard input.
inline CliRun runCli(const QStringList &arguments, const QStringList &environment = {},
                     const QByteArray &input = {})
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &assignment : environment)
        env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(SLIPWAY_CLI), arguments);
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    CliRun run;
    if (process.waitForFinished(300000) && process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace slipway::test
