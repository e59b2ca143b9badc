#include "util/text.h"

namespace slipway {

QString elide(const QString &text, qsizetype max)
{
    if (text.size() <= max)
        return text;
    return text.left(max) + QStringLiteral("… (%1 characters)").arg(text.size());
}

} // namespace slipway
