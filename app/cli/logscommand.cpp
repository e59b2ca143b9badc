// slipway-cli logs APP [--target NAME]... [--follow] [--tail N] [--since DURATION]

#include "commands.h"
#include "output.h"

#include "deploy/applogs.h"
#include "deploy/release.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTextStream>

#include <optional>
#include <thread>

namespace slipway::cli {

int runLogs(const Invocation &invocation, CommandContext &context)
{
    const QString command = invocation.command;
    const QString app =
        environmentApp(invocation.arguments.constFirst(), invocation.value(QStringLiteral("env")));
    auto history = openHistory(invocation.dataDir);
    if (!history)
        return reportError(context, command, history.error());
    QList<Target> targets;
    const QStringList named = invocation.values(QStringLiteral("target"));
    if (named.isEmpty()) {
        auto all = history.value()->targets();
        if (!all)
            return reportError(context, command, all.error());
        targets = all.value();
    }
    for (const QString &name : named) {
        auto target = history.value()->target(name);
        if (!target)
            return reportError(context, command, target.error());
        targets.append(target.value());
    }
    if (targets.isEmpty())
        return reportError(
            context, command,
            Error::badInput(QStringLiteral("no targets: add one with 'slipway-cli target add'")));

    AppLogOptions options;
    options.follow = invocation.isSet(QStringLiteral("follow"));
    options.tail =
        invocation.isSet(QStringLiteral("tail")) ? invocation.value(QStringLiteral("tail")).toInt() : -1;
    options.since = std::chrono::seconds(parseDuration(invocation.value(QStringLiteral("since"))));

    // Each target on a thread of its own; lines are printed whole, one at a time. With several
    // targets each line says which; stderr lines of the container go to stderr.
    QMutex mutex;
    const bool prefix = targets.size() > 1;
    const auto print = [&](const AppLogLine &line) {
        const QMutexLocker lock(&mutex);
        if (invocation.json) {
            context.out << QJsonDocument(
                               QJsonObject{{QStringLiteral("target"), line.target},
                                           {QStringLiteral("container"), line.container},
                                           {QStringLiteral("release"), line.release},
                                           {QStringLiteral("stream"), line.stream == 2
                                                                          ? QStringLiteral("stderr")
                                                                          : QStringLiteral("stdout")},
                                           {QStringLiteral("time"), line.time.toString(Qt::ISODateWithMs)},
                                           {QStringLiteral("text"), line.text}})
                               .toJson(QJsonDocument::Compact)
                        << Qt::endl;
            return;
        }
        QTextStream &stream = line.stream == 2 ? context.err : context.out;
        if (prefix)
            stream << line.target << " | ";
        stream << line.text << Qt::endl;
    };
    QList<std::optional<Status>> outcomes(targets.size());
    {
        std::vector<std::jthread> followers;
        for (qsizetype i = 0; i < targets.size(); ++i)
            followers.emplace_back(
                [&, i] { outcomes[i] = followAppLogs(targets.at(i), app, options, print, context.stop); });
    }
    // Named targets must have the app; of all targets, those that have it are enough.
    int status = 0;
    int found = 0;
    QStringList absent;
    for (qsizetype i = 0; i < targets.size(); ++i) {
        const Status &outcome = *outcomes.at(i);
        if (outcome) {
            ++found;
            continue;
        }
        if (outcome.error().kind == Error::Kind::BadInput && named.isEmpty()) {
            absent.append(targets.at(i).name);
            continue;
        }
        if (outcome.error().kind != Error::Kind::BadInput)
            ++found;
        status = std::max(status, reportError(context, command, outcome.error()));
    }
    if (found == 0 && status == 0)
        return reportError(context, command,
                           Error::badInput(QStringLiteral("app %1 has no container on any target (%2)")
                                               .arg(app, absent.join(QStringLiteral(", ")))));
    return status; // Ctrl+C ends --follow with 0; without it, the cancelled error's 130
}

} // namespace slipway::cli
