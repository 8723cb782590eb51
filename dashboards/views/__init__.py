"""The dashboards' HTML pages, by subject: the CoP dashboard and its measures
(``measures``), the CoP's reports (``reports``), organization-wide pages
(``organization``), and what the pages and the API share (``common``)."""
