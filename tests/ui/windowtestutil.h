#pragma once

// The whole window, for the page tests: loaded from a Console as main() does.

#include "console.h"

#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QStringList>
#include <QTest>

#include <memory>

namespace slipway::test {

// Loads the window of `console` into a new `engine`, shows it and makes it active (keys go to
// the active window's focus item: without it a key was now and then lost). QML warnings are
// appended to `warnings`, which must outlive the engine. False when the window did not load or
// show.
inline bool loadWindow(Console &console, std::unique_ptr<QQmlApplicationEngine> &engine,
                       QStringList &warnings, QQuickWindow *&window)
{
    engine = std::make_unique<QQmlApplicationEngine>();
    QObject::connect(engine.get(), &QQmlEngine::warnings, engine.get(),
                     [&warnings](const QList<QQmlError> &errors) {
                         for (const QQmlError &error : errors)
                             warnings += error.toString();
                     });
    engine->setInitialProperties(console.windowProperties());
    engine->load(Console::windowUrl());
    if (engine->rootObjects().size() != 1)
        return false;
    window = qobject_cast<QQuickWindow *>(engine->rootObjects().constFirst());
    if (!window || !QTest::qWaitForWindowExposed(window))
        return false;
    window->requestActivate();
    return QTest::qWaitForWindowActive(window);
}

} // namespace slipway::test
