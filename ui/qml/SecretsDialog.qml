pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// An app's secrets, as `slipway-cli secret list|set|rm` has them: the names a slipway.toml's
// [deploy] secrets asks for, each with when its value was set; the values live only in the
// system keychain and are never shown. The app can be typed (an environment's app is
// "<app>-<environment>"), so that secrets can be set before the first deploy; the Apps page
// opens it on a row's app.
Dialog {
    id: dialog

    required property SecretModel secrets

    function showApp(app: string) {
        appField.text = app
        dialog.secrets.show(app)
        dialog.open()
    }
    function setSecret() {
        if (!setButton.enabled)
            return
        dialog.secrets.set(nameField.text, valueField.text)
    }

    objectName: "secretsDialog"
    anchors.centerIn: parent
    width: Math.min(parent.width - 48, 720)
    height: Math.min(parent.height - 48, 520)
    modal: true
    title: qsTr("Secrets")
    standardButtons: Dialog.Close
    onClosed: valueField.clear()

    Connections {
        target: dialog.secrets
        function onSaved(ok: bool, name: string, error: string) {
            if (ok) {
                valueField.clear()
                nameField.clear()
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 10

        RowLayout {
            Layout.fillWidth: true
            Label {
                text: qsTr("App")
            }
            TextField {
                id: appField

                objectName: "secretsAppField"
                Layout.fillWidth: true
                placeholderText: qsTr("web, or web-staging for [env.staging]")
                onEditingFinished: if (text.trim() !== dialog.secrets.app) dialog.secrets.show(text.trim())
            }
            BusyIndicator {
                Layout.preferredWidth: 24
                Layout.preferredHeight: 24
                running: dialog.secrets.busy
                visible: running
            }
        }

        Label {
            Layout.fillWidth: true
            text: qsTr("Values go to the system keychain and reach the app's containers at the next deploy, as environment variables (or files under /run/secrets). They are never shown again.")
            opacity: 0.6
            wrapMode: Text.Wrap
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            TextField {
                id: nameField

                objectName: "secretNameField"
                Layout.preferredWidth: 200
                placeholderText: qsTr("DB_PASSWORD")
                onAccepted: valueField.forceActiveFocus()
            }
            TextField {
                id: valueField

                objectName: "secretValueField"
                Layout.fillWidth: true
                echoMode: TextInput.Password
                placeholderText: qsTr("value")
                onAccepted: dialog.setSecret()
            }
            Button {
                id: setButton

                objectName: "setSecretButton"
                text: qsTr("Set")
                enabled: !dialog.secrets.busy && dialog.secrets.app.length > 0
                         && nameField.text.trim().length > 0 && valueField.text.length > 0
                onClicked: dialog.setSecret()
            }
        }

        Label {
            objectName: "secretsError"
            Layout.fillWidth: true
            visible: text.length > 0
            text: dialog.secrets.error
            color: Theme.errorColour
            wrapMode: Text.Wrap
        }

        ListView {
            objectName: "secretList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: dialog.secrets
            ScrollBar.vertical: ScrollBar {}

            delegate: ItemDelegate {
                id: secret

                required property int index
                required property string name
                required property date set

                objectName: "secret_" + name
                width: ListView.view.width
                contentItem: RowLayout {
                    spacing: 12
                    Label {
                        Layout.preferredWidth: 240
                        text: secret.name
                        font.family: Theme.monospace
                        elide: Text.ElideRight
                    }
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("set %1").arg(secret.set.toLocaleString(Qt.locale(), Locale.ShortFormat))
                        opacity: 0.6
                    }
                    Button {
                        objectName: "removeSecretButton"
                        text: qsTr("Remove")
                        enabled: !dialog.secrets.busy
                        onClicked: dialog.secrets.remove(secret.index)
                    }
                }
            }
        }

        Label {
            Layout.fillWidth: true
            visible: dialog.secrets.count === 0 && !dialog.secrets.busy && dialog.secrets.app.length > 0
            text: qsTr("%1 has no secrets.").arg(dialog.secrets.app)
            opacity: 0.6
        }
    }
}
