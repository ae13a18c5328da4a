/// <reference types="vite/client" />
// Vite's client types: `import css from './x.css?inline'` is a string (the widget's shadow styles).
