#pragma once

#include <QString>

namespace slipway {

// text, or when it is longer than `max` characters its start with "… (N characters)": what a
// one-line message quotes of a value it did not choose (a URL, a key, a registry's answer).
QString elide(const QString &text, qsizetype max = 120);

// `name` in lower case with every character but an ASCII letter or digit made '-': a component
// of a registry repository path ("Web 2" -> "web-2").
QString repositoryComponent(const QString &name);

} // namespace slipway
