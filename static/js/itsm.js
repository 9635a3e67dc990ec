// Keyboard shortcuts and small behaviours shared by every page.
