#pragma once

#include <QString>

namespace slipway {

// text, or when it is longer than `max` characters its start with "… (N characters)": what a
// one-line message quotes of a value it did not choose (a URL, a key, a registry's answer).
QString elide(const QString &text, qsizetype max = 120);

} // namespace slipway
