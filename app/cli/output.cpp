#include "output.h"

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

int reportError(QTextStream &err, const QString &command, const Error &error)
{
    // One line: a message never spans lines, whatever a library said.
    QString message = error.message;
    message.replace(u'\n', u' ');
    err << "slipway-cli " << command << ": " << message.trimmed() << Qt::endl;
    switch (error.kind) {
    case Error::Kind::BadInput:
        return 2;
    case Error::Kind::Cancelled:
        return 130;
    case Error::Kind::Failed:
        break;
    }
    return 1;
}

} // namespace slipway::cli
