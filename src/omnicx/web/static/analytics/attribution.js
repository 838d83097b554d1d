/* Renderer for this page: written by its feature work (see static/analytics.js). */
