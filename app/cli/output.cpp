#include "output.h"

#include "commands.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <QTextStream>

namespace slipway::cli {

QString humanSize(qint64 bytes)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1000 && unit < 4) {
        value /= 1000;
        ++unit;
    }
    return unit == 0 ? QStringLiteral("%1 B").arg(bytes)
                     : QStringLiteral("%1 %2")
                           .arg(value, 0, 'f', value < 10 ? 2 : 1)
                           .arg(QLatin1String(units[unit]));
}

QString shortDigest(const QString &digest)
{
    return digest.left(int(qstrlen("sha256:")) + 12);
}

int reportError(CommandContext &context, const QString &command, const Error &error)
{
    // One line: a message never spans lines, whatever a library said.
    QString message = error.message;
    message.replace(u'\n', u' ');
    message = message.trimmed();
    context.err << "slipway-cli " << command << ": " << message << Qt::endl;
    int status = 1;
    switch (error.kind) {
    case Error::Kind::BadInput:
        status = 2;
        break;
    case Error::Kind::Cancelled:
        status = 130;
        break;
    case Error::Kind::Failed:
        break;
    }
    if (context.json)
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("command"), command},
                                                 {QStringLiteral("error"), message},
                                                 {QStringLiteral("exitCode"), status}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
    return status;
}

} // namespace slipway::cli
