#include "util/text.h"

namespace slipway {

QString elide(const QString &text, qsizetype max)
{
    if (text.size() <= max)
        return text;
    return text.left(max) + QStringLiteral("… (%1 characters)").arg(text.size());
}

QString repositoryComponent(const QString &name)
{
    QString component;
    for (const QChar c : name.toLower())
        component += (c.isLetterOrNumber() && c.unicode() < 128) ? c : u'-';
    return component;
}

} // namespace slipway
