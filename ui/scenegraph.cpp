#include "scenegraph.h"

#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QQuickWindow>
#include <QSGRendererInterface>

bool isSoftwareOpenGl(const QByteArray &renderer)
{
    const QByteArray name = renderer.toLower();
    for (const char *software : {"llvmpipe", "softpipe", "swrast", "software rasterizer", "lavapipe"})
        if (name.contains(software))
            return true;
    return false;
}

QByteArray chooseSceneGraph()
{
    if (qEnvironmentVariableIsSet("QT_QUICK_BACKEND") || qEnvironmentVariableIsSet("QSG_RHI_BACKEND"))
        return {};
    QOpenGLContext context;
    if (!context.create())
        return {}; // no OpenGL here (the offscreen platform): Qt Quick picks its software renderer
    QOffscreenSurface surface;
    surface.setFormat(context.format());
    surface.create();
    if (!surface.isValid() || !context.makeCurrent(&surface))
        return {};
    const auto *text = reinterpret_cast<const char *>(context.functions()->glGetString(GL_RENDERER));
    const QByteArray renderer(text ? text : "");
    context.doneCurrent();
    if (isSoftwareOpenGl(renderer))
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    return renderer;
}
