#pragma once

#include <QThread>
#include <condition_variable>
#include <mutex>

class Database;

// Runs SQLite's WAL checkpoints on a thread of its own. SQLite's automatic checkpoint runs
// inside whichever commit crosses its threshold, while that commit still holds the write gate:
// every writer behind it waits for the log to be copied back and fsynced (the p99 of a
// confirm). With this thread commits only append; it copies in PASSIVE mode, which never
// blocks a writer or a reader. Needs DatabaseConfig::checkpointInBackground.
class WalCheckpointer : public QThread
{
public:
    explicit WalCheckpointer(Database &database, int intervalMs = 200);
    ~WalCheckpointer() override; // stop()

    // Ends the thread after one last checkpoint that also empties the log file.
    void stop();

protected:
    void run() override;

private:
    void checkpoint(const char *mode);

    Database &m_database;
    const int m_intervalMs;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
};
