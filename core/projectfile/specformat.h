#pragma once

// Private to core/projectfile/: how values are shown in slipway.toml messages.

#include <QString>
#include <QStringList>

namespace slipway::spec_detail {

// A value as it would be written in TOML, for messages; one longer than 120 characters is cut,
// with its length said: `"aaaa…" (10485760 characters)`.
inline QString quoted(const QString &s)
{
    constexpr qsizetype max = 120;
    QString out = s.size() > max ? s.left(max) : s;
    out.replace(u'\\', QLatin1String("\\\\"));
    out.replace(u'"', QLatin1String("\\\""));
    if (s.size() > max)
        return u'"' + out + QStringLiteral("…\" (%1 characters)").arg(s.size());
    return u'"' + out + u'"';
}

inline QString quotedList(const QStringList &list)
{
    QStringList items;
    for (const QString &s : list)
        items << quoted(s);
    return u'[' + items.join(QLatin1String(", ")) + u']';
}

} // namespace slipway::spec_detail
