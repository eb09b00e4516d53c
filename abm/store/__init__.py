"""The results store on disk: its layout, atomic files, publishing a run, and the one reader."""
