module example.com/rebuild_vcs

go 1.21
