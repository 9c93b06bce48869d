# `cmake --install` and the Debian package (CPack, scripts/package.sh): the
# pixeldrill binary, a man page made from its --help text, the README, docs,
# LICENSE and the web page's built assets (when web/dist exists). Nothing of
# the tests or benchmarks is installed.
include(GNUInstallDirs)

install(TARGETS pixeldrill RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
if(EXISTS ${CMAKE_SOURCE_DIR}/web/dist)
  # serve finds them at ../share/pixeldrill/web from the binary.
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/web/dist/ DESTINATION ${CMAKE_INSTALL_DATADIR}/pixeldrill/web)
endif()
# The man page is the binary's own --help text of every subcommand, so it
# cannot drift from the options.
install(CODE "
  set(PIXELDRILL_BINARY \"$<TARGET_FILE:pixeldrill>\")
  set(PIXELDRILL_MAN_OUT \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1/pixeldrill.1\")
  set(PIXELDRILL_VERSION \"${PROJECT_VERSION}\")
  include(\"${CMAKE_SOURCE_DIR}/cmake/man_page.cmake\")
")

# The Debian package. netCDF-C, HDF5 and libcurl are loaded at run time by SONAME
# (src/formats/lazy_library.cpp), so dpkg-shlibdeps cannot see them: their
# packages are named here from the libraries found at configure time.
function(pixeldrill_deb_package_of var library)
  get_filename_component(real ${library} REALPATH)
  get_filename_component(dir ${real} DIRECTORY)
  execute_process(COMMAND dpkg-query -S ${dir}/${ARGN} OUTPUT_VARIABLE owner
                  RESULT_VARIABLE rc ERROR_QUIET)
  string(REGEX MATCH "^([^:]+)" match "${owner}")
  if(rc EQUAL 0 AND match)
    set(${var} ${CMAKE_MATCH_1} PARENT_SCOPE)
  endif()
endfunction()
pixeldrill_deb_package_of(PIXELDRILL_NETCDF_DEB ${NETCDF_SHARED_LIBRARY} ${PIXELDRILL_NETCDF_SONAME})
pixeldrill_deb_package_of(PIXELDRILL_HDF5_DEB ${HDF5_SHARED_LIBRARY} ${PIXELDRILL_HDF5_SONAME})
# libcurl too is loaded on first use (src/io/curl_api.cpp).
pixeldrill_deb_package_of(PIXELDRILL_CURL_DEB ${CURL_SHARED_LIBRARY} ${PIXELDRILL_CURL_SONAME})
set(PIXELDRILL_LAZY_DEPENDS "")
foreach(p ${PIXELDRILL_NETCDF_DEB} ${PIXELDRILL_HDF5_DEB} ${PIXELDRILL_CURL_DEB})
  string(APPEND PIXELDRILL_LAZY_DEPENDS ", ${p}")
endforeach()
string(REGEX REPLACE "^, " "" PIXELDRILL_LAZY_DEPENDS "${PIXELDRILL_LAZY_DEPENDS}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pixeldrill)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "fast pixel time series from gridded NetCDF4 satellite archives")
set(CPACK_PACKAGE_DESCRIPTION
    "pixeldrill drills long time series at points, station lists and small boxes out of\n gridded NetCDF4 archives such as IMOS GHRSST SST, through netCDF-C, a chunk index\n or a time-deep Zarr store, and serves them over ERDDAP griddap and a JSON API.")
set(CPACK_PACKAGE_CONTACT "pixeldrill maintainers <pixeldrill@localhost>")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${PIXELDRILL_LAZY_DEPENDS}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnuplot-nox")
set(CPACK_PACKAGE_INSTALL_DIRECTORY pixeldrill)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
