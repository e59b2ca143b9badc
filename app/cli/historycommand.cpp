// slipway-cli history: the deployments the history database remembers, newest first; with
// --operations, what was done to apps by hand.
// slipway-cli history show ID: one deployment, with its stored log.

#include "commands.h"
#include "output.h"

#include "history/history.h"
#include "util/paths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace slipway::cli {
namespace {

constexpr int defaultLimit = 20;
// Without a terminal to fit (a pipe, a file), messages are cut at the length git recommends for
// a summary line; --json has them whole.
constexpr qsizetype untiedMessageWidth = 72;
constexpr qsizetype minimumMessageWidth = 16;

// "850ms", "12.3s", "2m05s", "1h02m".
QString humanDuration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1ms").arg(ms);
    if (ms < 60 * 1000)
        return QStringLiteral("%1s").arg(double(ms) / 1000, 0, 'f', 1);
    const qint64 seconds = ms / 1000;
    if (seconds < 3600)
        return QStringLiteral("%1m%2s").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h%2m").arg(seconds / 3600).arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'));
}

QString duration(const DeploymentRecord &record)
{
    if (!record.finished.isValid() || !record.started.isValid())
        return QStringLiteral("-");
    return humanDuration(record.started.msecsTo(record.finished));
}

QJsonObject deploymentJson(const DeploymentRecord &record)
{
    QJsonObject object{{QStringLiteral("id"), record.id},
                       {QStringLiteral("releaseId"), record.releaseId},
                       {QStringLiteral("project"), record.project},
                       {QStringLiteral("commit"), record.commit},
                       {QStringLiteral("message"), record.message},
                       {QStringLiteral("image"), record.image},
                       {QStringLiteral("digest"), record.digest},
                       {QStringLiteral("target"), record.target},
                       {QStringLiteral("result"), deploymentResultName(record.result)},
                       {QStringLiteral("started"), record.started.toString(Qt::ISODateWithMs)},
                       {QStringLiteral("error"), record.error}};
    if (record.finished.isValid()) {
        object.insert(QStringLiteral("finished"), record.finished.toString(Qt::ISODateWithMs));
        object.insert(QStringLiteral("durationMs"), record.started.msecsTo(record.finished));
    } else {
        object.insert(QStringLiteral("finished"), QJsonValue::Null);
    }
    if (record.result == DeploymentResult::Interrupted)
        object.insert(QStringLiteral("repaired"),
                      record.repaired.isValid() ? QJsonValue(record.repaired.toString(Qt::ISODateWithMs))
                                                : QJsonValue(QJsonValue::Null));
    return object;
}

void printTable(QTextStream &out, const QList<DeploymentRecord> &records)
{
    using Row = QStringList;
    QList<Row> rows{{QStringLiteral("ID"), QStringLiteral("WHEN"), QStringLiteral("PROJECT"),
                     QStringLiteral("COMMIT"), QStringLiteral("TARGET"), QStringLiteral("RESULT"),
                     QStringLiteral("DURATION"), QStringLiteral("MESSAGE")}};
    for (const DeploymentRecord &record : records) {
        const QString commit = record.commit.isEmpty() ? shortDigest(record.digest) : record.commit.left(12);
        rows.append({QString::number(record.id),
                     record.started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                     record.project, commit, record.target, deploymentResultName(record.result),
                     duration(record), record.message});
    }
    // The message, last, takes what the terminal has left on the line, as git log --oneline
    // through a pager that chops lines. Rows without a message (a directory source) end at their
    // duration.
    printColumns(out, rows, lastColumnWidth(rows, untiedMessageWidth, minimumMessageWidth));
    // Failed and interrupted deployments say why underneath, so the table tells the whole truth;
    // an interrupted one also whether what it left half-done was put back.
    bool unrepaired = false;
    for (const DeploymentRecord &record : records) {
        if (record.error.isEmpty())
            continue;
        out << "#" << record.id << " " << deploymentResultName(record.result) << ": "
            << record.error.simplified();
        if (record.result == DeploymentResult::Interrupted) {
            unrepaired = unrepaired || !record.repaired.isValid();
            if (record.repaired.isValid())
                out << "; repaired "
                    << record.repaired.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
            else
                out << "; not repaired yet";
        }
        out << '\n';
    }
    if (unrepaired)
        out << "'slipway-cli repair' puts back what an interrupted deployment left half-done.\n";
    out.flush();
}

// history --operations: what was done to apps by hand, newest first.
int listOperations(const Invocation &invocation, CommandContext &context, History &history)
{
    OperationFilter filter;
    filter.app = invocation.value(QStringLiteral("project"));
    filter.target = invocation.value(QStringLiteral("target"));
    filter.limit = invocation.isSet(QStringLiteral("limit"))
                       ? invocation.value(QStringLiteral("limit")).toInt()
                       : defaultLimit;
    auto records = history.operations(filter);
    if (!records)
        return reportError(context, invocation.command, records.error());
    if (invocation.json) {
        QJsonArray array;
        for (const OperationRecord &record : records.value())
            array.append(operationJson(record));
        context.out << QJsonDocument(array).toJson(QJsonDocument::Compact) << Qt::endl;
        return 0;
    }
    if (records->isEmpty()) {
        context.out << "no operations" << Qt::endl;
        return 0;
    }
    QList<QStringList> rows{{QStringLiteral("ID"), QStringLiteral("WHEN"), QStringLiteral("APP"),
                             QStringLiteral("TARGET"), QStringLiteral("ACTION"), QStringLiteral("RESULT"),
                             QStringLiteral("BY"), QStringLiteral("WHAT")}};
    for (const OperationRecord &record : records.value())
        rows.append({QString::number(record.id),
                     record.started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")), record.app,
                     record.target, operationActionName(record.action),
                     record.succeeded ? QStringLiteral("succeeded") : QStringLiteral("failed"),
                     record.user + u'@' + record.host,
                     record.succeeded ? record.detail : record.error.simplified()});
    printColumns(context.out, rows);
    context.out.flush();
    return 0;
}

} // namespace

Result<std::unique_ptr<History>> openHistory(const QString &dataDir)
{
    return History::open(History::defaultPath(DataDirs::resolve(dataDir).data));
}

int runHistory(const Invocation &invocation, CommandContext &context)
{
    Result<std::unique_ptr<History>> history = openHistory(invocation.dataDir);
    if (!history)
        return reportError(context, invocation.command, history.error());
    if (invocation.isSet(QStringLiteral("operations")))
        return listOperations(invocation, context, **history);
    DeploymentFilter filter;
    filter.project = invocation.value(QStringLiteral("project"));
    filter.target = invocation.value(QStringLiteral("target"));
    filter.limit = invocation.isSet(QStringLiteral("limit"))
                       ? invocation.value(QStringLiteral("limit")).toInt()
                       : defaultLimit;
    Result<QList<DeploymentRecord>> records = history.value()->deployments(filter);
    if (!records)
        return reportError(context, invocation.command, records.error());
    if (invocation.json) {
        QJsonArray array;
        for (const DeploymentRecord &record : *records)
            array.append(deploymentJson(record));
        context.out << QJsonDocument(array).toJson(QJsonDocument::Compact) << Qt::endl;
        return 0;
    }
    if (records->isEmpty()) {
        context.out << "no deployments" << Qt::endl;
        return 0;
    }
    printTable(context.out, *records);
    return 0;
}

int runHistoryShow(const Invocation &invocation, CommandContext &context)
{
    bool ok = false;
    const QString given = invocation.arguments.constFirst();
    const qint64 id = QString(given).remove(u'#').toLongLong(&ok);
    if (!ok || id <= 0)
        return reportError(
            context, invocation.command,
            Error::badInput(QStringLiteral("'%1' is not a deployment id (see 'slipway-cli history')")
                                .arg(given.left(40))));
    Result<std::unique_ptr<History>> history = openHistory(invocation.dataDir);
    if (!history)
        return reportError(context, invocation.command, history.error());
    Result<DeploymentRecord> record = history.value()->deployment(id);
    if (!record)
        return reportError(context, invocation.command, record.error());
    if (invocation.json) {
        QJsonObject json = deploymentJson(record.value());
        json.insert(QStringLiteral("log"), record->log);
        context.out << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
        return 0;
    }
    printTable(context.out, {record.value()});
    context.out << '\n';
    if (record->log.isEmpty())
        context.out << "(no log stored)" << '\n';
    else
        context.out << record->log << (record->log.endsWith(u'\n') ? "" : "\n");
    context.out.flush();
    return 0;
}

} // namespace slipway::cli
