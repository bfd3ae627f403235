#include "syncstatusdialog.h"

#include "apiclient.h"
#include "apireply.h"
#include "mutationengine.h"
#include "queuemodel.h"
#include "sparkline.h"
#include "syncsession.h"
#include "ui_syncstatusdialog.h"

#include <QHeaderView>
#include <QJsonArray>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTime>

SyncStatusDialog::SyncStatusDialog(SyncSession *session, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::SyncStatusDialog>())
    , m_session(session)
    , m_model(new QueueModel(session->engine(), this))
    , m_sorted(new QSortFilterProxyModel(this))
    , m_depth(new Sparkline(tr("Queue depth (server outbox + local)"), this))
    , m_failures(new Sparkline(tr("SMS failure rate %"), this))
{
    m_ui->setupUi(this);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(QueueModel::SortRole);
    m_ui->queueTable->setModel(m_sorted);
    m_ui->queueTable->horizontalHeader()->setSectionResizeMode(
        QueueModel::LastError, QHeaderView::Stretch);
    m_ui->queueTable->horizontalHeader()->setSectionResizeMode(
        QueueModel::Endpoint, QHeaderView::ResizeToContents);
    m_ui->chartsLayout->addWidget(m_depth);
    m_ui->chartsLayout->addWidget(m_failures);
    m_ui->chartsLayout->addStretch();
    m_depth->setCapacity(60); // five minutes at one sample per 5 s
    m_failures->setCapacity(60);

    MutationEngine *engine = session->engine();
    connect(m_ui->retryAllButton, &QPushButton::clicked, engine, &MutationEngine::retryAll);
    connect(m_ui->retrySelectedButton, &QPushButton::clicked, this, [this, engine] {
        for (const QString &key : selectedKeys())
            engine->retry(key);
    });
    connect(m_ui->adoptSelectedButton, &QPushButton::clicked, this,
        [this, engine] { engine->adoptUnowned(withoutUserKeys(true)); });
    connect(m_ui->adoptAllButton, &QPushButton::clicked, this,
        [this, engine] { engine->adoptUnowned(withoutUserKeys(false)); });
    connect(m_ui->discardSelectedButton, &QPushButton::clicked, this,
        &SyncStatusDialog::discardSelected);
    connect(m_ui->buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_ui->queueTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &SyncStatusDialog::updateButtons);
    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
        connect(m_model, signal, this, &SyncStatusDialog::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &SyncStatusDialog::updateButtons);
    connect(session->api(), &ApiClient::signedIn, this, &SyncStatusDialog::updateButtons);
    connect(session->api(), &ApiClient::signedOut, this, &SyncStatusDialog::updateButtons);

    // The server's change history no longer reached back to this client's data: say when it
    // was reloaded, so changes that seem to have jumped are explained.
    const auto showHistoryReload = [this](const QDateTime &at) {
        m_ui->historyNote->setText(
            tr("History expired: the data was reloaded from the server at %1")
                .arg(QLocale().toString(at.time(), QLocale::ShortFormat)));
        m_ui->historyNote->setVisible(at.isValid());
    };
    showHistoryReload(session->historyReloadedAt());
    connect(session, &SyncSession::historyReloaded, this, showHistoryReload);

    const bool admin = session->api()->user().role == QLatin1String("admin");
    m_ui->tabs->setTabVisible(m_ui->tabs->indexOf(m_ui->serverTab), admin);
    if (admin) {
        connect(&m_poll, &QTimer::timeout, this, &SyncStatusDialog::refreshServer);
        m_poll.start(5000);
        refreshServer();
    }
    updateButtons();
}

SyncStatusDialog::~SyncStatusDialog() = default;

void SyncStatusDialog::showServerTab()
{
    m_ui->tabs->setCurrentWidget(m_ui->serverTab);
}

QStringList SyncStatusDialog::selectedKeys() const
{
    QStringList keys;
    for (const QModelIndex &index : m_ui->queueTable->selectionModel()->selectedRows())
        keys.append(index.data(QueueModel::KeyRole).toString());
    return keys;
}

QStringList SyncStatusDialog::withoutUserKeys(bool selectedOnly) const
{
    QStringList keys;
    const QModelIndexList rows
        = selectedOnly ? m_ui->queueTable->selectionModel()->selectedRows() : QModelIndexList();
    const int count = selectedOnly ? int(rows.size()) : m_model->rowCount();
    for (int i = 0; i < count; ++i) {
        const QModelIndex index = selectedOnly ? rows.at(i) : m_model->index(i, 0);
        if (index.data(QueueModel::WithoutUserRole).toBool())
            keys.append(index.data(QueueModel::KeyRole).toString());
    }
    return keys;
}

void SyncStatusDialog::updateButtons()
{
    const int rows = m_model->rowCount();
    const int selected = int(selectedKeys().size());
    m_ui->retryAllButton->setEnabled(rows > 0);
    m_ui->retrySelectedButton->setEnabled(selected > 0);
    m_ui->discardSelectedButton->setEnabled(selected > 0);
    int attention = 0;
    int review = 0;
    int withoutUser = 0;
    for (int r = 0; r < rows; ++r) {
        const QModelIndex index = m_model->index(r, 0);
        attention += index.data(QueueModel::NeedsAttentionRole).toBool() ? 1 : 0;
        review += index.data(QueueModel::NeedsReviewRole).toBool() ? 1 : 0;
        withoutUser += index.data(QueueModel::WithoutUserRole).toBool() ? 1 : 0;
    }
    // Adopting is offered only while something was queued without a user, and only to a
    // signed-in user (who becomes its sender).
    const bool canAdopt = withoutUser > 0 && m_session->api()->isSignedIn();
    m_ui->adoptSelectedButton->setVisible(withoutUser > 0);
    m_ui->adoptAllButton->setVisible(withoutUser > 0);
    m_ui->adoptSelectedButton->setEnabled(canAdopt && !withoutUserKeys(true).isEmpty());
    m_ui->adoptAllButton->setEnabled(canAdopt);
    m_ui->reviewSummary->setVisible(review > 0);
    QString reviewText = tr("%n need(s) review", nullptr, review);
    if (withoutUser > 0)
        reviewText += QLatin1Char('\n')
            + tr("%n queued without a signed-in user: adopt to send as you, or discard.", nullptr,
                withoutUser);
    m_ui->reviewSummary->setText(reviewText);
    m_ui->queueSummary->setText(rows == 0
            ? tr("Nothing is waiting: every change reached the server.")
            : tr("%n change(s) waiting", nullptr, rows)
                + (attention ? tr(", %n need(s) your attention (highlighted)", nullptr, attention)
                             : QString()));
}

void SyncStatusDialog::discardSelected()
{
    const QStringList keys = selectedKeys();
    if (keys.isEmpty())
        return;
    QStringList what;
    for (const QModelIndex &index : m_ui->queueTable->selectionModel()->selectedRows())
        what.append(QStringLiteral("• %1 %2").arg(
            m_sorted->index(index.row(), QueueModel::Endpoint).data().toString(),
            m_sorted->index(index.row(), QueueModel::Entity).data().toString()));
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Discard changes"),
        tr("These %n change(s) will not be sent to the server and will not happen:\n\n%1", nullptr,
            int(keys.size()))
            .arg(what.mid(0, 12).join(QLatin1Char('\n'))),
        QMessageBox::NoButton, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *discard = box->addButton(tr("Discard"), QMessageBox::DestructiveRole);
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    connect(
        box, &QMessageBox::buttonClicked, this, [this, discard, keys](QAbstractButton *clicked) {
            if (clicked != discard)
                return;
            for (const QString &key : keys)
                m_session->engine()->discard(key);
        });
    box->open();
}

void SyncStatusDialog::refreshServer()
{
    ApiReply *reply = m_session->api()->get(QStringLiteral("/api/admin/sync-health"));
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (!reply->isSuccess()) {
            m_ui->updatedValue->setText(tr("not available: %1").arg(reply->error().userMessage()));
            return;
        }
        const QJsonObject h = reply->json();
        const QJsonObject idem = h.value(QStringLiteral("idempotency")).toObject();
        const QJsonObject realtime = h.value(QStringLiteral("realtime")).toObject();
        const QJsonObject breaker
            = h.value(QStringLiteral("breakers")).toArray().first().toObject();
        const QJsonObject outbox = h.value(QStringLiteral("outbox")).toObject();
        m_ui->recordsValue->setText(
            QString::number(idem.value(QStringLiteral("records")).toInteger()));
        m_ui->windowValue->setText(tr("%1 h").arg(
            double(idem.value(QStringLiteral("window_seconds")).toInteger()) / 3600.0, 0, 'g', 3));
        m_ui->replaysValue->setText(QStringLiteral("%1 / %2 / %3")
                                        .arg(idem.value(QStringLiteral("replays")).toInteger())
                                        .arg(idem.value(QStringLiteral("conflicts")).toInteger())
                                        .arg(idem.value(QStringLiteral("mismatches")).toInteger()));
        m_ui->realtimeValue->setText(
            QStringLiteral("%1 / %2")
                .arg(realtime.value(QStringLiteral("connections")).toInteger())
                .arg(realtime.value(QStringLiteral("channels")).toInteger()));
        m_ui->breakerValue->setText(breaker.value(QStringLiteral("state"))
                                        .toString()
                                        .replace(QLatin1Char('_'), QLatin1Char(' ')));
        const double rate = breaker.value(QStringLiteral("failure_rate")).toDouble();
        m_ui->failureRateValue->setText(
            QStringLiteral("%1 / %2")
                .arg(rate < 0 ? tr("n/a") : QStringLiteral("%1 %").arg(rate, 0, 'f', 1))
                .arg(breaker.value(QStringLiteral("not_permitted_calls")).toInteger()));
        const qint64 depth = outbox.value(QStringLiteral("depth")).toInteger();
        m_ui->outboxValue->setText(QString::number(depth));
        m_ui->updatedValue->setText(QTime::currentTime().toString(Qt::TextDate));
        m_depth->addSample(double(depth + m_session->engine()->pendingCount()));
        m_failures->addSample(std::max(0.0, rate));
    });
}
