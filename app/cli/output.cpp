#include "output.h"

#include "commands.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <QTextStream>

#include <cstdio>

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

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

qsizetype terminalWidth()
{
    winsize size{};
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    bool ok = false;
    const int columns = qEnvironmentVariableIntValue("COLUMNS", &ok);
    return ok && columns > 0 ? columns : 0;
}

QString elided(const QString &text, qsizetype width)
{
    if (text.size() <= width)
        return text;
    return text.left(std::max<qsizetype>(0, width - 3)) + QStringLiteral("...");
}

namespace {

QList<qsizetype> columnWidths(const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QStringList &row : rows) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (qsizetype column = 0; column < row.size(); ++column)
            widths[column] = std::max(widths[column], row.at(column).size());
    }
    return widths;
}

} // namespace

qsizetype lastColumnWidth(const QList<QStringList> &rows, qsizetype otherwise, qsizetype minimum)
{
    const qsizetype columns = terminalWidth();
    if (columns <= 0)
        return otherwise;
    const QList<qsizetype> widths = columnWidths(rows);
    qsizetype used = 0;
    for (qsizetype column = 0; column + 1 < widths.size(); ++column)
        used += widths[column] + 2;
    return std::max(minimum, columns - used);
}

void printColumns(QTextStream &out, const QList<QStringList> &rows, qsizetype lastWidth)
{
    const QList<qsizetype> widths = columnWidths(rows);
    for (qsizetype index = 0; index < rows.size(); ++index) {
        const QStringList &row = rows.at(index);
        QString line;
        for (qsizetype column = 0; column < row.size(); ++column) {
            if (column + 1 < row.size())
                line += row.at(column).leftJustified(widths[column] + 2);
            else
                line += lastWidth > 0 && index > 0 ? elided(row.at(column), lastWidth) : row.at(column);
        }
        while (line.endsWith(u' '))
            line.chop(1);
        out << line << '\n';
    }
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

Result<QString> readSecretInput(const QString &what, const QString &prompt)
{
    QByteArray bytes;
    if (::isatty(STDIN_FILENO)) {
        // Typed: no echo, so the value never shows on the screen.
        termios saved{};
        const bool quiet = ::tcgetattr(STDIN_FILENO, &saved) == 0;
        if (quiet) {
            termios silent = saved;
            silent.c_lflag &= ~tcflag_t(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
        }
        std::fputs(qPrintable(prompt), stderr);
        std::fflush(stderr);
        char buffer[4096];
        if (std::fgets(buffer, sizeof buffer, stdin))
            bytes = QByteArray(buffer);
        if (quiet)
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fputs("\n", stderr);
    } else {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return Error::failed(QStringLiteral("cannot read %1 from standard input").arg(what));
        bytes = in.readAll();
    }
    while (bytes.endsWith('\n') || bytes.endsWith('\r'))
        bytes.chop(1);
    if (bytes.isEmpty())
        return Error::badInput(QStringLiteral("%1 read from standard input is empty").arg(what));
    return QString::fromUtf8(bytes);
}

} // namespace slipway::cli
